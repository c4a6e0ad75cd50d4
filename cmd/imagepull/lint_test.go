package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLintGolden lints the manifests in every output format.
func TestLintGolden(t *testing.T) {
	for _, format := range []string{"text", "json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			res := run(t, append(append([]string{"lint"}, manifestInputs...), "-o", format)...)
			assert.Equal(t, exitFailure, res.code, "the manifests have errors: %s", res.stderr)
			assert.Empty(t, res.stderr)
			golden(t, "lint."+format, sarifVersionRE.ReplaceAllString(res.stdout, `${1}"VERSION"`))
		})
	}
	res := run(t, "lint", "--list-rules")
	require.Equal(t, exitOK, res.code, res.stderr)
	golden(t, "lint-rules", res.stdout)
}

// sarifVersionRE matches the tool's version in SARIF output, which follows the build (a
// pseudo-version from the VCS, or "(devel)").
var sarifVersionRE = regexp.MustCompile(`("name": "imagepull",\n\s*"version": )"[^"]*"`)

// lintFindings runs lint -o json and returns rule → severities of the findings, and the
// exit code.
func lintFindings(t *testing.T, args ...string) (map[string][]string, int) {
	t.Helper()
	res := run(t, append(append(append([]string{"lint"}, manifestInputs...), "-o", "json"), args...)...)
	require.Empty(t, res.stderr)
	var out struct {
		Findings []struct{ Rule, Severity string }
		Summary  map[string]int
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &out), res.stdout)
	got := make(map[string][]string)
	for _, f := range out.Findings {
		got[f.Rule] = append(got[f.Rule], f.Severity)
	}
	return got, res.code
}

// TestLintConfiguration: severities, disabled rules, the required policy, public registries,
// from flags and from a file (flags win), and the exit code's threshold.
func TestLintConfiguration(t *testing.T) {
	base, code := lintFindings(t)
	require.Equal(t, exitFailure, code)
	require.NotEmpty(t, base["IP001"])
	require.NotEmpty(t, base["IP004"])
	require.NotEmpty(t, base["IP008"])
	require.Empty(t, base["IP009"], "IP009 runs only with a required policy")

	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		check func(t *testing.T, got map[string][]string)
	}{
		{"a rule off", []string{"--rule", "IP001=off"}, exitFailure, func(t *testing.T, got map[string][]string) {
			assert.Empty(t, got["IP001"])
			assert.Equal(t, base["IP002"], got["IP002"])
		}},
		{"a rule by name to error", []string{"--rule", "policy-not-set=error"}, exitFailure, func(t *testing.T, got map[string][]string) {
			assert.Len(t, got["IP001"], len(base["IP001"]))
			for _, s := range got["IP001"] {
				assert.Equal(t, "error", s)
			}
		}},
		{"required policy", []string{"--require-policy", "Always"}, exitFailure, func(t *testing.T, got map[string][]string) {
			assert.NotEmpty(t, got["IP009"])
		}},
		{"a public registry", []string{"--public-registry", "registry.example.com"}, exitFailure, func(t *testing.T, got map[string][]string) {
			assert.Less(t, len(got["IP008"]), len(base["IP008"]))
		}},
		{"the file", []string{"--config", "testdata/lint-config.yaml"}, exitFailure, func(t *testing.T, got map[string][]string) {
			assert.Empty(t, got["IP004"])
			assert.NotEmpty(t, got["IP009"])
			assert.Less(t, len(got["IP008"]), len(base["IP008"]))
			for _, s := range got["IP001"] {
				assert.Equal(t, "error", s)
			}
		}},
		{"flags win over the file", []string{"--config", "testdata/lint-config.yaml", "--rule", "IP004=note", "--require-policy", "IfNotPresent"}, exitFailure,
			func(t *testing.T, got map[string][]string) {
				assert.Equal(t, base["IP004"], got["IP004"])
				assert.Greater(t, len(got["IP009"]), 0)
			}},
		{"fail on never", []string{"--fail-on", "never"}, exitOK, nil},
		{"only notes fail on note", []string{"--rule", "IP003=note", "--rule", "IP007=note", "--rule", "IP010=note", "--rule", "IP001=note",
			"--rule", "IP002=note", "--rule", "IP005=note", "--rule", "IP006=note", "--fail-on", "warning"}, exitOK, nil},
		{"errors only", []string{"--rule", "IP003=warning", "--rule", "IP007=warning", "--rule", "IP010=warning", "--fail-on", "error"}, exitOK, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, code := lintFindings(t, tc.args...)
			assert.Equal(t, tc.code, code)
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

// TestLintSARIF: the SARIF log is 2.1.0, names the tool and its rules, and has one result per
// finding, located in the file.
func TestLintSARIF(t *testing.T) {
	findings, _ := lintFindings(t)
	total := 0
	for _, f := range findings {
		total += len(f)
	}
	res := run(t, append(append([]string{"lint"}, manifestInputs...), "-o", "sarif")...)
	var log struct {
		Schema  string `json:"$schema"`
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &log))
	assert.Equal(t, "2.1.0", log.Version)
	assert.Contains(t, log.Schema, "sarif")
	require.Len(t, log.Runs, 1)
	assert.Equal(t, "imagepull", log.Runs[0].Tool.Driver.Name)
	assert.NotEmpty(t, log.Runs[0].Tool.Driver.Rules)
	require.Len(t, log.Runs[0].Results, total)
	for _, r := range log.Runs[0].Results {
		require.Len(t, r.Locations, 1)
		loc := r.Locations[0].PhysicalLocation
		assert.True(t, strings.HasPrefix(loc.ArtifactLocation.URI, "testdata/manifests/") ||
			strings.Contains(loc.ArtifactLocation.URI, "examples/manifests/"), loc.ArtifactLocation.URI)
		assert.Positive(t, loc.Region.StartLine)
	}
}

// TestLintHonesty lints testdata/lint: suppressions by annotation (listed as suppressed, not
// failing the run by themselves), API versions Kubernetes no longer serves (IP011, by the
// targeted release), and a label written yes, which the API server rejects (a malformed
// document: exit 2, and a SARIF notification). Every format is pinned by a golden file.
func TestLintHonesty(t *testing.T) {
	for _, format := range []string{"text", "json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			res := run(t, "lint", "-f", "testdata/lint", "-o", format)
			assert.Equal(t, exitUsage, res.code, "the yes label is a malformed document")
			assert.Equal(t, "imagepull lint: testdata/lint/yes-label.yaml: document 1 (line 7): malformed document: metadata.labels.enabled: "+
				"the API server rejects a boolean where it wants a string: kubectl reads the plain YAML 1.1 booleans yes, no, on, off, y and n as true or false, so quote the value\n",
				res.stderr)
			golden(t, "lint-honesty."+format, sarifVersionRE.ReplaceAllString(res.stdout, `${1}"VERSION"`))
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // rules of the unsuppressed findings
	}{
		{"suppressed findings alone do not fail", []string{"-f", "testdata/lint/suppressed.yaml"}, exitFailure, []string{"IP001"}},
		{"suppressed, and the rest off", []string{"-f", "testdata/lint/suppressed.yaml", "--rule", "IP001=off"}, exitOK, nil},
		{"legacy API versions on 1.37", []string{"-f", "testdata/lint/legacy.yaml"}, exitFailure, []string{"IP011", "IP011"}},
		{"legacy API versions on 1.15", []string{"-f", "testdata/lint/legacy.yaml", "--kubernetes-version", "1.15"}, exitOK, nil},
		{"batch/v1beta1 still served on 1.24", []string{"-f", "testdata/lint/legacy.yaml", "--kubernetes-version", "v1.24"}, exitFailure, []string{"IP011"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, append(append([]string{"lint"}, tc.args...), "-o", "json")...)
			assert.Equal(t, tc.code, res.code, res.stderr)
			var out struct{ Findings []struct{ Rule string } }
			require.NoError(t, json.Unmarshal([]byte(res.stdout), &out))
			var got []string
			for _, f := range out.Findings {
				got = append(got, f.Rule)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestLintFileArguments: files given as arguments, as pre-commit passes them, are linted as
// with -f.
func TestLintFileArguments(t *testing.T) {
	files := []string{"../../examples/manifests/shop.yaml", "testdata/manifests/seed-pods.yaml"}
	withF := run(t, "lint", "-f", files[0], "-f", files[1])
	asArgs := run(t, append([]string{"lint"}, files...)...)
	assert.Equal(t, exitFailure, asArgs.code, asArgs.stderr)
	assert.Equal(t, withF, asArgs)
	mixed := run(t, "lint", "-f", files[0], files[1])
	assert.Equal(t, withF, mixed)
}
