package lint_test

import (
	"errors"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/imagepull/imagepull/lint"
)

// FuzzParseLintConfig feeds arbitrary bytes to ParseConfig, as lint --config reads a file. It
// must not panic; its errors wrap ErrConfig and stay within a constant factor of the input;
// a configuration it accepts builds a Linter, and written back as a file (each rule off or at
// its severity, the required policy, the public registries) it parses into a Linter that runs
// the same rules at the same severities with the same policy and registries.
func FuzzParseLintConfig(f *testing.F) {
	for _, seed := range []string{
		"requirePolicy: Always\npublicRegistries: [registry.example.com]\nrules:\n  IP004: off\n  policy-not-set: error\n",
		`{"rules": {"IP008": "off", "ip002": "note", "IP003": "on"}, "publicRegistries": ["a", "a"]}`,
		"rules: {IP001: error, policy-not-set: off, IP005: yes, IP006: info}\n",
		"requirePolicy: always\n",
		"kubernetesVersion: \"v1.16\"\n",
		"kubernetesVersion: 1.20\n",
		"rules: {IP099: off}\n",
		"rules: [IP001]\n",
		"a: &a [*a, *a]\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := lint.ParseConfig(data)
		if err != nil {
			if !errors.Is(err, lint.ErrConfig) {
				t.Fatalf("unclassified error: %v", err)
			}
			if msg := err.Error(); len(msg) > 10*len(data)+512 {
				t.Fatalf("a %d-byte file gave a %d-byte error", len(data), len(msg))
			}
			return
		}
		l, err := lint.New(cfg)
		if err != nil {
			t.Fatalf("a parsed configuration does not build a linter: %v", err)
		}
		enabled := l.Rules()
		rules := map[string]string{}
		for _, r := range lint.Rules() {
			rules[r.ID] = "off"
		}
		for _, r := range enabled {
			rules[r.ID] = r.Severity.String()
		}
		file := map[string]any{"rules": rules, "publicRegistries": cfg.PublicRegistries}
		if cfg.RequirePolicy != "" {
			file["requirePolicy"] = string(cfg.RequirePolicy)
		}
		if cfg.KubernetesVersion != "" {
			file["kubernetesVersion"] = cfg.KubernetesVersion
		}
		out, err := yaml.Marshal(file)
		if err != nil {
			t.Fatalf("the configuration does not encode: %v", err)
		}
		again, err := lint.ParseConfig(out)
		if err != nil {
			t.Fatalf("%q written back as %q does not parse: %v", data, out, err)
		}
		l2, err := lint.New(again)
		if err != nil {
			t.Fatalf("%q written back as %q does not build a linter: %v", data, out, err)
		}
		if !reflect.DeepEqual(l2.Rules(), enabled) || again.RequirePolicy != cfg.RequirePolicy || again.KubernetesVersion != cfg.KubernetesVersion ||
			!reflect.DeepEqual(nilIfEmpty(again.PublicRegistries), nilIfEmpty(cfg.PublicRegistries)) {
			t.Fatalf("%q written back as %q configures %+v, not %+v", data, out, again, cfg)
		}
	})
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
