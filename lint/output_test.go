package lint_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/lint"
)

const twoPods = `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: ns}
spec:
  containers:
  - name: web
    image: nginx
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b}
spec:
  template:
    spec:
      containers:
      - name: api
        image: registry.example.com/api@sha256:4bf2e2c4a0a1b3b53dbe4e2a0ca6a2bd3f1c2b5e0d2a1b7c9e8f6a5d4c3b2a19
        imagePullPolicy: Always
`

func findingsOf(t *testing.T, file, text string) ([]lint.Finding, *lint.Linter) {
	t.Helper()
	m, err := kube.Read(strings.NewReader(text), kube.Options{File: file})
	require.NoError(t, err)
	l, err := lint.New(lint.Config{})
	require.NoError(t, err)
	return l.Manifest(m), l
}

func TestWriteText(t *testing.T) {
	findings, _ := findingsOf(t, "pods.yaml", twoPods)
	var b bytes.Buffer
	require.NoError(t, lint.WriteText(&b, findings))
	lines := strings.Split(b.String(), "\n")
	require.Len(t, lines, 2*4+2)
	assert.Equal(t, "pods.yaml:7: warning IP001 policy-not-set: Pod ns/a, container web (nginx): imagePullPolicy is not set: the API server defaults it to Always (no tag means latest)", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "  fix: Set imagePullPolicy explicitly"), lines[1])
	// Sorted by line: the image (line 17, IP008) before its policy (line 18, IP004), though
	// the linter found IP004 first.
	assert.True(t, strings.HasPrefix(lines[4], "pods.yaml:17: note IP008 private-registry-no-pull-secrets: Deployment b,"), lines[4])
	assert.Equal(t, "pods.yaml:18: note IP004 always-digest: Deployment b, container api (registry.example.com/api@sha256:4bf2e2c4a0a1b3b53dbe4e2a0ca6a2bd3f1c2b5e0d2a1b7c9e8f6a5d4c3b2a19): imagePullPolicy is Always on a digest-pinned image: the registry is asked on every start for nothing but authorization", lines[6])
	assert.Equal(t, "4 findings: 0 errors, 2 warnings, 2 notes", lines[8])

	b.Reset()
	require.NoError(t, lint.WriteText(&b, nil))
	assert.Equal(t, "0 findings: 0 errors, 0 warnings, 0 notes\n", b.String())
}

func TestWriteJSON(t *testing.T) {
	findings, _ := findingsOf(t, "pods.yaml", twoPods)
	var b bytes.Buffer
	require.NoError(t, lint.WriteJSON(&b, findings))
	var got struct {
		Findings []map[string]any `json:"findings"`
		Summary  map[string]int   `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	assert.Equal(t, map[string]int{"errors": 0, "warnings": 2, "notes": 2, "suppressed": 0}, got.Summary)
	require.Len(t, got.Findings, 4)
	assert.Equal(t, map[string]any{
		"rule": "IP001", "ruleName": "policy-not-set", "severity": "warning",
		"message": "imagePullPolicy is not set: the API server defaults it to Always (no tag means latest)",
		"fix":     lint.Rules()[0].Fix, "file": "pods.yaml", "document": 1.0, "line": 7.0, // no "item": not in a List
		"object":    map[string]any{"kind": "Pod", "namespace": "ns", "name": "a"},
		"container": "web", "containerKind": "container", "path": "spec.containers[0].image",
		"fieldPath": "spec.containers{web}", "image": "nginx", "effective": "Always",
	}, got.Findings[0])

	b.Reset()
	require.NoError(t, lint.WriteJSON(&b, nil))
	assert.JSONEq(t, `{"findings": [], "suppressed": [], "summary": {"errors": 0, "warnings": 0, "notes": 0, "suppressed": 0}}`, b.String())
}

// TestWriteSARIF checks the log against what SARIF 2.1.0 (OASIS standard, §3) requires of
// each object the writer emits, and against what code-scanning UIs read.
func TestWriteSARIF(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		uri    string // the artifact URI expected; "" for no physical location
		config lint.Config
	}{
		{"relative path", "deploy/my app.yaml", "deploy/my%20app.yaml", lint.Config{}},
		{"absolute path", "/srv/k8s/pods.yaml", "file:///srv/k8s/pods.yaml", lint.Config{}},
		{"standard input", "", "", lint.Config{}},
		{"rule missing from the run's list", "pods.yaml", "pods.yaml", lint.Config{Disabled: []string{"IP001"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			findings, l := findingsOf(t, tc.file, twoPods)
			rules := l.Rules()
			if tc.config.Disabled != nil { // findings of the default linter, rules of another
				l2, err := lint.New(tc.config)
				require.NoError(t, err)
				rules = l2.Rules()
			}
			var b bytes.Buffer
			require.NoError(t, lint.WriteSARIF(&b, lint.Tool{Name: "imagepull", Version: "1.0.0", InformationURI: "https://example.com/imagepull"}, rules, findings))
			validateSARIF(t, b.Bytes(), len(findings), tc.uri)
		})
	}
}

func validateSARIF(t *testing.T, data []byte, results int, uri string) {
	t.Helper()
	var log map[string]any
	require.NoError(t, json.Unmarshal(data, &log))
	// §3.13 sarifLog: version "2.1.0" and runs are required; $schema is optional but must be a URI.
	assert.Equal(t, "2.1.0", log["version"])
	_, err := url.Parse(log["$schema"].(string))
	require.NoError(t, err)
	runs := log["runs"].([]any)
	require.Len(t, runs, 1)
	run := runs[0].(map[string]any)
	// §3.14 run: tool is required; §3.18 tool: driver is required; §3.19 toolComponent: name is required.
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	assert.Equal(t, "imagepull", driver["name"])
	rules := driver["rules"].([]any)
	ids := map[string]int{}
	for i, r := range rules {
		rule := r.(map[string]any)
		// §3.49 reportingDescriptor: id is required; descriptions are multiformatMessageStrings with text.
		id := rule["id"].(string)
		require.NotEmpty(t, id)
		assert.NotContains(t, ids, id, "rule ids are unique")
		ids[id] = i
		for _, k := range []string{"shortDescription", "fullDescription", "help"} {
			assert.NotEmpty(t, rule[k].(map[string]any)["text"], "%s.%s.text", id, k)
		}
		// §3.50 reportingConfiguration.level is one of none, note, warning, error.
		assert.Contains(t, []string{"none", "note", "warning", "error"}, rule["defaultConfiguration"].(map[string]any)["level"])
	}
	got := run["results"].([]any)
	require.Len(t, got, results)
	for _, r := range got {
		res := r.(map[string]any)
		// §3.27 result: message is required (§3.11 message: text or id).
		assert.NotEmpty(t, res["message"].(map[string]any)["text"])
		// §3.27.5/§3.27.6: ruleId, and ruleIndex must point at that rule in the driver's rules.
		id := res["ruleId"].(string)
		require.Contains(t, ids, id, "every result's rule is described")
		assert.Equal(t, float64(ids[id]), res["ruleIndex"])
		assert.Contains(t, []string{"none", "note", "warning", "error"}, res["level"])
		locs := res["locations"].([]any)
		require.Len(t, locs, 1)
		loc := locs[0].(map[string]any)
		// §3.33 logicalLocation: fullyQualifiedName, kind from the spec's list.
		logical := loc["logicalLocations"].([]any)[0].(map[string]any)
		assert.Contains(t, logical["fullyQualifiedName"], "/spec.")
		assert.Equal(t, "member", logical["kind"])
		phys, ok := loc["physicalLocation"].(map[string]any)
		if uri == "" {
			assert.False(t, ok, "no file, no physical location")
			continue
		}
		require.True(t, ok)
		// §3.29 physicalLocation: artifactLocation; §3.4 artifactLocation.uri is a valid URI reference.
		gotURI := phys["artifactLocation"].(map[string]any)["uri"].(string)
		assert.Equal(t, uri, gotURI)
		_, err := url.Parse(gotURI)
		require.NoError(t, err)
		// §3.30.5 region.startLine is ≥ 1.
		assert.GreaterOrEqual(t, phys["region"].(map[string]any)["startLine"], 1.0)
	}
}
