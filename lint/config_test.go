package lint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/lint"
	"github.com/imagepull/imagepull/pullpolicy"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    lint.Config
		wantErr string
	}{
		{name: "empty", input: "", want: lint.Config{}},
		{name: "full", input: `
requirePolicy: Always
publicRegistries: [registry.example.com]
rules:
  IP004: off
  policy-not-set: error
  ip002: note
`, want: lint.Config{
			RequirePolicy:    pullpolicy.Always,
			PublicRegistries: []string{"registry.example.com"},
			Disabled:         []string{"IP004"},
			Severity:         map[string]lint.Severity{"IP001": lint.Error, "IP002": lint.Note},
		}},
		{name: "json", input: `{"rules": {"IP008": "off"}}`, want: lint.Config{Disabled: []string{"IP008"}}},
		{name: "unknown field", input: "requirePolicies: Always\n", wantErr: `invalid lint configuration: error unmarshaling JSON: while decoding JSON: json: unknown field "requirePolicies" (the fields are requirePolicy, publicRegistries, kubernetesVersion and rules)`},
		{name: "unknown rule", input: "rules: {IP099: off}\n", wantErr: `invalid lint configuration: unknown rule "IP099": want an ID or a name: IP001 (policy-not-set), IP002 (mutable-tag), IP003 (ifnotpresent-mutable-tag), IP004 (always-digest), IP005 (policy-never), IP006 (tag-and-digest), IP007 (invalid-image), IP008 (private-registry-no-pull-secrets), IP009 (required-policy), IP010 (invalid-policy), IP011 (unserved-api-version)`},
		{name: "an unquoted Kubernetes version", input: "kubernetesVersion: 1.20\n", wantErr: `invalid lint configuration: kubernetesVersion: 1.2 is not a string: quote it ("1.30"), as YAML reads 1.30 as the number 1.3`},
		{name: "a bad Kubernetes version", input: "kubernetesVersion: \"2.1\"\n", wantErr: `invalid lint configuration: kubernetesVersion: invalid Kubernetes version "2.1": want 1.MINOR, such as 1.37, v1.16 or 1.25.3`},
		{name: "a Kubernetes version", input: "kubernetesVersion: \"v1.20\"\n", want: lint.Config{KubernetesVersion: "v1.20"}},
		{name: "bad severity", input: "rules: {IP001: fatal}\n", wantErr: `invalid lint configuration: rule IP001: invalid severity "fatal": want note, warning, error, off or on`},
		{name: "bad policy", input: "requirePolicy: always\n", wantErr: `invalid lint configuration: requirePolicy: Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := lint.ParseConfig([]byte(tc.input))
			if tc.wantErr != "" {
				require.ErrorIs(t, err, lint.ErrConfig)
				assert.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestLoadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lint.yaml")
	require.NoError(t, os.WriteFile(path, []byte("rules: {IP005: error}\n"), 0o600))
	c, err := lint.LoadConfig(path)
	require.NoError(t, err)
	assert.Equal(t, map[string]lint.Severity{"IP005": lint.Error}, c.Severity)

	require.NoError(t, os.WriteFile(path, []byte("rules: {IP005: loud}\n"), 0o600))
	_, err = lint.LoadConfig(path)
	assert.ErrorContains(t, err, path+": invalid lint configuration: rule IP005")

	_, err = lint.LoadConfig(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestConfigSet(t *testing.T) {
	var c lint.Config
	require.NoError(t, c.Set("IP003", "off"))
	require.NoError(t, c.Set("IP003", "off"))
	assert.Equal(t, []string{"IP003"}, c.Disabled, "disabling twice lists the rule once")
	require.NoError(t, c.Set("ifnotpresent-mutable-tag", "warning"))
	assert.Empty(t, c.Disabled, "a severity enables the rule again")
	assert.Equal(t, lint.Warning, c.Severity["IP003"])
}

func TestSeverity(t *testing.T) {
	for _, s := range []string{"note", "warning", "error"} {
		v, err := lint.ParseSeverity(s)
		require.NoError(t, err)
		assert.Equal(t, s, v.String())
	}
	v, err := lint.ParseSeverity("info")
	require.NoError(t, err)
	assert.Equal(t, lint.Note, v)
	_, err = lint.ParseSeverity("Error")
	assert.ErrorIs(t, err, lint.ErrInvalidSeverity)

	findings := []lint.Finding{{Severity: lint.Note}, {Severity: lint.Warning}}
	assert.True(t, lint.Reaches(findings, lint.Note))
	assert.True(t, lint.Reaches(findings, lint.Warning))
	assert.False(t, lint.Reaches(findings, lint.Error))
	assert.False(t, lint.Reaches(nil, lint.Note))
}
