package lint_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/lint"
	"github.com/imagepull/imagepull/pullpolicy"
)

// hit is a finding as a table states it.
type hit struct {
	rule     string
	severity lint.Severity
	object   string // Kind/name
	line     int
	message  string
}

func lintFile(t *testing.T, cfg lint.Config, file string) []hit {
	t.Helper()
	m, err := kube.ReadFile(file, kube.Options{})
	require.NoError(t, err)
	l, err := lint.New(cfg)
	require.NoError(t, err)
	var out []hit
	for _, f := range l.Manifest(m) {
		assert.Equal(t, file, f.File)
		out = append(out, hit{f.Rule, f.Severity, f.Object.Kind + "/" + f.Object.Name, f.Line, f.Message})
	}
	return out
}

func TestRules(t *testing.T) {
	tests := []struct {
		name string
		cfg  lint.Config
		want []hit
	}{
		{
			name: "defaults",
			want: []hit{
				{"IP001", lint.Warning, "Pod/no-policy-no-tag", 9, "imagePullPolicy is not set: the API server defaults it to Always (no tag means latest)"},
				{"IP002", lint.Warning, "Pod/no-policy-no-tag", 9, "the image has no tag, so it means :latest, which moves with every push"},
				{"IP002", lint.Warning, "Pod/retag-trap", 28, "the image uses the tag latest, which moves with every push"},
				{"IP003", lint.Error, "Pod/retag-trap", 29, "imagePullPolicy is IfNotPresent with the tag latest: each node keeps the build it pulled first"},
				{"IP004", lint.Note, "Pod/always-digest", 39, "imagePullPolicy is Always on a digest-pinned image: the registry is asked on every start for nothing but authorization"},
				{"IP005", lint.Warning, "Pod/preloaded", 49, "imagePullPolicy is Never: the image must already be on every node the pod can run on"},
				{"IP006", lint.Warning, "Pod/tag-and-digest", 58, `the image has the tag "1.25" and a digest: the runtime pulls by digest and ignores the tag`},
				{"IP007", lint.Error, "Pod/bad-name", 68, `Failed to apply default image tag "Nginx:1.25": couldn't parse image name "Nginx:1.25": invalid reference format: repository name (library/Nginx) must be lowercase`},
				{"IP008", lint.Note, "Deployment/private", 81, "registry.example.com looks like a private registry, and the pod has no imagePullSecrets"},
				{"IP010", lint.Error, "Deployment/private", 85, `imagePullPolicy: Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never"`},
			},
		},
		{
			name: "overrides, disabled rules, required policy, public registries",
			cfg: lint.Config{
				Severity:         map[string]lint.Severity{"IP001": lint.Error, "IP004": lint.Warning},
				Disabled:         []string{"IP002", "IP005", "IP006", "IP007", "IP010"},
				RequirePolicy:    pullpolicy.Always,
				PublicRegistries: []string{"registry.example.com"},
			},
			want: []hit{
				{"IP001", lint.Error, "Pod/no-policy-no-tag", 9, "imagePullPolicy is not set: the API server defaults it to Always (no tag means latest)"},
				{"IP009", lint.Error, "Pod/pinned", 19, "imagePullPolicy is IfNotPresent, but Always is required"},
				{"IP009", lint.Error, "Pod/retag-trap", 29, "imagePullPolicy is IfNotPresent, but Always is required"},
				{"IP003", lint.Error, "Pod/retag-trap", 29, "imagePullPolicy is IfNotPresent with the tag latest: each node keeps the build it pulled first"},
				{"IP004", lint.Warning, "Pod/always-digest", 39, "imagePullPolicy is Always on a digest-pinned image: the registry is asked on every start for nothing but authorization"},
				{"IP009", lint.Error, "Pod/preloaded", 49, "imagePullPolicy is Never, but Always is required"},
				{"IP009", lint.Error, "Pod/tag-and-digest", 59, "imagePullPolicy is IfNotPresent, but Always is required"},
				{"IP009", lint.Error, "Pod/bad-name", 69, "imagePullPolicy is IfNotPresent, but Always is required"},
				{"IP009", lint.Error, "Deployment/private", 82, "imagePullPolicy is IfNotPresent, but Always is required"},
				{"IP009", lint.Error, "Deployment/private", 85, "imagePullPolicy is always, but Always is required"},
				{"IP009", lint.Error, "Deployment/private-with-secret", 100, "imagePullPolicy is IfNotPresent, but Always is required"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, lintFile(t, tc.cfg, "testdata/rules.yaml"))
		})
	}
}

// allRules is how an error lists the valid rules.
const allRules = "IP001 (policy-not-set), IP002 (mutable-tag), IP003 (ifnotpresent-mutable-tag), IP004 (always-digest), IP005 (policy-never), IP006 (tag-and-digest), IP007 (invalid-image), IP008 (private-registry-no-pull-secrets), IP009 (required-policy), IP010 (invalid-policy), IP011 (unserved-api-version)"

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  lint.Config
		want string
	}{
		{"unknown severity rule", lint.Config{Severity: map[string]lint.Severity{"IP999": lint.Note}}, `invalid lint configuration: unknown rule "IP999": want an ID: ` + allRules},
		{"bad severity", lint.Config{Severity: map[string]lint.Severity{"IP001": 7}}, "invalid lint configuration: rule IP001: invalid severity 7"},
		{"unknown disabled rule", lint.Config{Disabled: []string{"nope"}}, `invalid lint configuration: unknown rule "nope": want an ID: ` + allRules},
		{"bad Kubernetes version", lint.Config{KubernetesVersion: "1.x"}, `invalid lint configuration: KubernetesVersion: invalid Kubernetes version "1.x": want 1.MINOR, such as 1.37, v1.16 or 1.25.3`},
		{"bad policy", lint.Config{RequirePolicy: "always"}, `invalid lint configuration: RequirePolicy: Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := lint.New(tc.cfg)
			require.ErrorIs(t, err, lint.ErrConfig)
			assert.EqualError(t, err, tc.want)
		})
	}
}
