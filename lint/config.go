package lint

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/imagepull/imagepull/internal/safefile"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Config adjusts the linter. The zero Config runs every rule at its default severity, except
// [RequiredPolicy], which runs only when RequirePolicy is set.
type Config struct {
	// Severity overrides rules' severities, by rule ID.
	Severity map[string]Severity
	// Disabled are the IDs of rules not to run.
	Disabled []string
	// RequirePolicy, when set, is the one pull policy every image must have (after
	// defaulting), as the AlwaysPullImages admission plugin enforces Always.
	RequirePolicy pullpolicy.Policy
	// PublicRegistries are registry hosts not to treat as private, beyond the well-known
	// public ones (docker.io, registry.k8s.io, quay.io, ghcr.io, gcr.io, public.ecr.aws,
	// mcr.microsoft.com…).
	PublicRegistries []string
	// KubernetesVersion is the release whose served API versions [UnservedAPIVersion]
	// checks ("1.25", "v1.25"); "" means [DefaultKubernetesVersion].
	KubernetesVersion string
}

// ErrConfig is matched by the errors of [Config.Set], [ParseConfig] and [New].
var ErrConfig = errors.New("invalid lint configuration")

// Set configures one rule, named by ID or name, from a flag-style value: "off" (or "false")
// disables it, "on" (or "true") enables it at its current severity, "note", "warning" or
// "error" sets its severity and enables it.
func (c *Config) Set(rule, value string) error {
	r, ok := findRule(rule)
	if !ok {
		return fmt.Errorf("%w: unknown rule %q: want an ID or a name: %s", ErrConfig, rule, ruleNames())
	}
	switch value {
	case "on", "true":
		c.Disabled = slices.DeleteFunc(c.Disabled, func(id string) bool { return id == r.ID })
		return nil
	case "off", "false":
		if !slices.Contains(c.Disabled, r.ID) {
			c.Disabled = append(c.Disabled, r.ID)
		}
		return nil
	}
	sev, err := ParseSeverity(value)
	if err != nil {
		return fmt.Errorf("%w: rule %s: %w %q: want note, warning, error, off or on", ErrConfig, r.ID, ErrInvalidSeverity, value)
	}
	if c.Severity == nil {
		c.Severity = make(map[string]Severity)
	}
	c.Severity[r.ID] = sev
	c.Disabled = slices.DeleteFunc(c.Disabled, func(id string) bool { return id == r.ID })
	return nil
}

// ruleNames lists the rules for an error message: "IP001 (policy-not-set), IP002 (mutable-tag), …".
func ruleNames() string {
	var b strings.Builder
	for i, r := range Rules() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.ID + " (" + r.Name + ")")
	}
	return b.String()
}

// findRule finds a rule by ID (case-insensitive) or name.
func findRule(key string) (Rule, bool) {
	for _, r := range Rules() {
		if strings.EqualFold(r.ID, key) || r.Name == key {
			return r, true
		}
	}
	return Rule{}, false
}

// configFile is the configuration file's format.
type configFile struct {
	RequirePolicy     string            `json:"requirePolicy"`
	Rules             map[string]string `json:"rules"`
	PublicRegistries  []string          `json:"publicRegistries"`
	KubernetesVersion any               `json:"kubernetesVersion"` // a string; a number is refused
}

// ParseConfig reads a configuration file (YAML or JSON):
//
//	# .imagepull-lint.yaml
//	requirePolicy: Always        # optional: enforce one policy cluster-wide
//	publicRegistries: [registry.example.com]
//	kubernetesVersion: "1.30"    # optional: the release whose API versions to check, quoted
//	rules:
//	  IP004: off                 # by ID or by name: disable…
//	  policy-not-set: error      # …or set the severity (note, warning, error)
//
// The file is read as kubectl reads YAML (sigs.k8s.io/yaml, YAML 1.1), so off, no and false
// all disable a rule, and on, yes and true enable it.
// Unknown fields, rules and values are errors wrapping [ErrConfig].
func ParseConfig(data []byte) (Config, error) {
	var f configFile
	if err := yaml.UnmarshalStrict(data, &f); err != nil {
		if strings.Contains(err.Error(), "unknown field") {
			return Config{}, fmt.Errorf("%w: %w (the fields are requirePolicy, publicRegistries, kubernetesVersion and rules)", ErrConfig, err)
		}
		return Config{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	var c Config
	if f.RequirePolicy != "" {
		p, err := pullpolicy.ParsePolicy(f.RequirePolicy)
		if err != nil {
			return Config{}, fmt.Errorf("%w: requirePolicy: %w", ErrConfig, err)
		}
		c.RequirePolicy = p
	}
	ids := make([]string, 0, len(f.Rules))
	for k := range f.Rules {
		ids = append(ids, k)
	}
	slices.Sort(ids) // the first error reported does not depend on map order
	for _, k := range ids {
		if err := c.Set(k, f.Rules[k]); err != nil {
			return Config{}, err
		}
	}
	c.PublicRegistries = f.PublicRegistries
	switch v := f.KubernetesVersion.(type) {
	case nil:
	case string:
		if _, err := ParseKubernetesVersion(v); err != nil {
			return Config{}, fmt.Errorf("%w: kubernetesVersion: %w", ErrConfig, err)
		}
		c.KubernetesVersion = v
	default: // unquoted, 1.20 is the number 1.2: refuse it rather than check 1.2
		return Config{}, fmt.Errorf("%w: kubernetesVersion: %v is not a string: quote it (\"1.30\"), as YAML reads 1.30 as the number 1.3", ErrConfig, v)
	}
	return c, nil
}

// MaxConfigSize is the largest configuration file [LoadConfig] reads: 1 MiB, thousands of
// times a real one.
const MaxConfigSize = 1 << 20

// LoadConfig reads the configuration file at path with [ParseConfig]. Only a regular file
// (or a symlink to one) of at most [MaxConfigSize] bytes is read: a FIFO, a device or a
// directory is refused at once, without blocking, with an *os.PathError saying what the path
// is, as is a larger file.
func LoadConfig(path string) (Config, error) {
	data, err := safefile.ReadRegular(path, MaxConfigSize, safefile.FollowSymlinks)
	if err != nil {
		return Config{}, err
	}
	c, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
