package lint_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/lint"
)

// suppressible is a Deployment with two containers on latest (IP002 each) whose annotations
// the table fills in; ANNOTATIONS goes in the object's metadata, TEMPLATE in the template's.
const suppressible = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {ANNOTATIONS}
spec:
  template:
    metadata:
      annotations: {TEMPLATE}
    spec:
      containers:
      - {name: web, image: "nginx:latest", imagePullPolicy: Always}
      - {name: cache, image: "redis:latest", imagePullPolicy: Always}
`

// TestSuppressions: the annotation, by ID (any case) or name, for the object or one
// container, on the object or its template, silences exactly the findings it names, with
// its reason; an empty reason, another rule or another container silences nothing.
func TestSuppressions(t *testing.T) {
	tests := []struct {
		name                  string
		annotations, template string
		want                  map[string]string // container → suppressing annotation ("" for none)
		reason                string
	}{
		{"none", "", "", map[string]string{"web": "", "cache": ""}, ""},
		{"by name, whole object", `imagepull.dev/ignore-mutable-tag: "dev follows latest"`, "",
			map[string]string{"web": "imagepull.dev/ignore-mutable-tag", "cache": "imagepull.dev/ignore-mutable-tag"}, "dev follows latest"},
		{"by ID, lower case", `imagepull.dev/ignore-ip002: "x"`, "",
			map[string]string{"web": "imagepull.dev/ignore-ip002", "cache": "imagepull.dev/ignore-ip002"}, "x"},
		{"one container", `imagepull.dev/ignore-IP002.cache: "redis is a throwaway cache"`, "",
			map[string]string{"web": "", "cache": "imagepull.dev/ignore-IP002.cache"}, "redis is a throwaway cache"},
		{"on the template", "", `imagepull.dev/ignore-mutable-tag.web: "y"`,
			map[string]string{"web": "imagepull.dev/ignore-mutable-tag.web", "cache": ""}, "y"},
		{"the container's wins over the object's", `imagepull.dev/ignore-mutable-tag: "all", imagepull.dev/ignore-mutable-tag.web: "web"`, "",
			map[string]string{"web": "imagepull.dev/ignore-mutable-tag.web", "cache": "imagepull.dev/ignore-mutable-tag"}, ""},
		{"an empty reason suppresses nothing", `imagepull.dev/ignore-mutable-tag: "  "`, "", map[string]string{"web": "", "cache": ""}, ""},
		{"another rule", `imagepull.dev/ignore-policy-never: "x"`, "", map[string]string{"web": "", "cache": ""}, ""},
		{"another container", `imagepull.dev/ignore-IP002.db: "x"`, "", map[string]string{"web": "", "cache": ""}, ""},
		{"another prefix", `ignore-check.kube-linter.io/mutable-tag: "x"`, "", map[string]string{"web": "", "cache": ""}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.NewReplacer("ANNOTATIONS", tc.annotations, "TEMPLATE", tc.template).Replace(suppressible)
			findings, _ := findingsOf(t, "web.yaml", doc)
			got := map[string]string{}
			for _, f := range findings {
				if f.Rule != lint.MutableTag {
					assert.Nil(t, f.Suppression, "%s is not suppressed", f.Rule)
					continue
				}
				got[f.Container] = ""
				if f.Suppression != nil {
					got[f.Container] = f.Suppression.Annotation
					if tc.reason != "" {
						assert.Equal(t, tc.reason, f.Suppression.Reason)
					}
				}
			}
			assert.Equal(t, tc.want, got)
			suppressed := 0
			for _, a := range tc.want {
				if a != "" {
					suppressed++
				}
			}
			assert.Equal(t, suppressed, lint.Suppressed(findings))
		})
	}
}

// TestSuppressedOutput: a suppressed finding does not fail the run, and every format lists it
// as suppressed with its reason: text after the findings, JSON under "suppressed", SARIF as
// an in-source suppression with the reason as justification.
func TestSuppressedOutput(t *testing.T) {
	doc := strings.NewReplacer("ANNOTATIONS", `imagepull.dev/ignore-mutable-tag: "dev follows latest"`, "TEMPLATE", "").Replace(suppressible)
	findings, l := findingsOf(t, "web.yaml", doc)
	require.Equal(t, 2, lint.Suppressed(findings))
	assert.False(t, lint.Reaches(findings, lint.Note), "only the suppressed findings remain")

	var text bytes.Buffer
	require.NoError(t, lint.WriteText(&text, findings))
	assert.Equal(t, `web.yaml:12: suppressed IP002 mutable-tag: Deployment web, container web (nginx:latest): "dev follows latest" (imagepull.dev/ignore-mutable-tag)
web.yaml:13: suppressed IP002 mutable-tag: Deployment web, container cache (redis:latest): "dev follows latest" (imagepull.dev/ignore-mutable-tag)
0 findings: 0 errors, 0 warnings, 0 notes; 2 suppressed
`, text.String())

	var js bytes.Buffer
	require.NoError(t, lint.WriteJSON(&js, findings))
	var report struct {
		Findings   []json.RawMessage
		Suppressed []struct {
			Rule        string
			Suppression struct{ Annotation, Reason string }
		}
		Summary map[string]int
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &report))
	assert.Empty(t, report.Findings)
	require.Len(t, report.Suppressed, 2)
	assert.Equal(t, "IP002", report.Suppressed[0].Rule)
	assert.Equal(t, "imagepull.dev/ignore-mutable-tag", report.Suppressed[0].Suppression.Annotation)
	assert.Equal(t, "dev follows latest", report.Suppressed[0].Suppression.Reason)
	assert.Equal(t, map[string]int{"errors": 0, "warnings": 0, "notes": 0, "suppressed": 2}, report.Summary)

	var sarif bytes.Buffer
	require.NoError(t, lint.WriteSARIF(&sarif, lint.Tool{Name: "imagepull"}, l.Rules(), findings))
	validateSARIF(t, sarif.Bytes(), len(findings), "web.yaml")
	var log struct {
		Runs []struct {
			Results []struct {
				Suppressions []map[string]any
			}
		}
	}
	require.NoError(t, json.Unmarshal(sarif.Bytes(), &log))
	for _, r := range log.Runs[0].Results {
		// §3.35 suppression: kind (inSource: the suppression is in the analysed file) and a justification.
		require.Len(t, r.Suppressions, 1)
		assert.Equal(t, map[string]any{"kind": "inSource", "justification": "dev follows latest (imagepull.dev/ignore-mutable-tag)"}, r.Suppressions[0])
	}
}

// TestSARIFNotifications: malformed documents become the invocation's error notifications,
// located in their file, and make the execution unsuccessful; without them it succeeded.
func TestSARIFNotifications(t *testing.T) {
	for _, tc := range []struct {
		name  string
		notes []lint.Notification
		want  string
	}{
		{"none", nil, `[{"executionSuccessful": true}]`},
		{"a malformed file", []lint.Notification{{File: "bad dir/x.yaml", Line: 3, Message: "malformed"}, {Message: "stdin"}},
			`[{"executionSuccessful": false, "toolExecutionNotifications": [
				{"level": "error", "message": {"text": "malformed"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "bad%20dir/x.yaml"}, "region": {"startLine": 3}}}]},
				{"level": "error", "message": {"text": "stdin"}}]}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, lint.WriteSARIF(&b, lint.Tool{Name: "imagepull", Version: "v1.2.3"}, lint.Rules(), nil, tc.notes...))
			var log struct {
				Runs []struct {
					Tool        struct{ Driver struct{ Version string } }
					Invocations json.RawMessage
				}
			}
			require.NoError(t, json.Unmarshal(b.Bytes(), &log))
			assert.JSONEq(t, tc.want, string(log.Runs[0].Invocations))
			assert.Equal(t, "v1.2.3", log.Runs[0].Tool.Driver.Version)
		})
	}
}

// TestUnservedAPIVersion: workloads in API versions the targeted release does not serve are
// errors, once per object, located on the apiVersion line; served ones are not.
func TestUnservedAPIVersion(t *testing.T) {
	const tmpl = "apiVersion: API\nkind: KIND\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: \"nginx:1.25\", imagePullPolicy: IfNotPresent}]\n"
	const cron = "apiVersion: API\nkind: CronJob\nmetadata: {name: x}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, image: \"nginx:1.25\", imagePullPolicy: IfNotPresent}]\n"
	for _, tc := range []struct {
		doc, api, kind, version string
		want                    string // the message; "" for no finding
	}{
		{tmpl, "extensions/v1beta1", "Deployment", "", "Kubernetes 1.37 does not serve Deployment in extensions/v1beta1, which it stopped serving in 1.16; use apps/v1"},
		{tmpl, "extensions/v1beta1", "Deployment", "1.15", ""},
		{tmpl, "extensions/v1beta1", "Deployment", "v1.16.0", "Kubernetes 1.16 does not serve Deployment in extensions/v1beta1, which it stopped serving in 1.16; use apps/v1"},
		{tmpl, "apps/v1beta1", "StatefulSet", "", "Kubernetes 1.37 does not serve StatefulSet in apps/v1beta1, which it stopped serving in 1.16; use apps/v1"},
		{tmpl, "apps/v1beta2", "DaemonSet", "1.20", "Kubernetes 1.20 does not serve DaemonSet in apps/v1beta2, which it stopped serving in 1.16; use apps/v1"},
		{tmpl, "apps/v1", "Deployment", "", ""},
		{tmpl, "apps/v1", "Deployment", "1.8", "Kubernetes 1.8 does not serve Deployment in apps/v1, which is served from 1.9; use apps/v1"},
		{tmpl, "apps/v2", "Deployment", "", "no Kubernetes release serves Deployment in apps/v2; use apps/v1"},
		{tmpl, "batch/v1", "Job", "", ""},
		{cron, "batch/v1beta1", "CronJob", "1.24", ""},
		{cron, "batch/v1beta1", "CronJob", "", "Kubernetes 1.37 does not serve CronJob in batch/v1beta1, which it stopped serving in 1.25; use batch/v1"},
		{cron, "batch/v1", "CronJob", "1.20", "Kubernetes 1.20 does not serve CronJob in batch/v1, which is served from 1.21; use batch/v1beta1"},
		{cron, "batch/v2alpha1", "CronJob", "1.20", "batch/v2alpha1 is an alpha version, which the API server serves only when --runtime-config enables it, and not at all since 1.21; use batch/v1beta1"},
	} {
		t.Run(tc.api+" "+tc.kind+" "+tc.version, func(t *testing.T) {
			doc := strings.NewReplacer("API", tc.api, "KIND", tc.kind).Replace(tc.doc)
			m, err := kube.Read(strings.NewReader(doc), kube.Options{File: "x.yaml"})
			require.NoError(t, err)
			require.Len(t, m.Workloads, 1)
			l, err := lint.New(lint.Config{KubernetesVersion: tc.version})
			require.NoError(t, err)
			var got []lint.Finding
			for _, f := range l.Manifest(m) {
				if f.Rule == lint.UnservedAPIVersion {
					got = append(got, f)
				}
			}
			if tc.want == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, tc.want, got[0].Message)
			assert.Equal(t, lint.Error, got[0].Severity)
			assert.Equal(t, 1, got[0].Line)
			assert.Equal(t, "apiVersion", got[0].Path)
			assert.Empty(t, got[0].Container)
		})
	}
	_, err := lint.New(lint.Config{KubernetesVersion: "2.0"})
	require.ErrorIs(t, err, lint.ErrConfig)
	assert.Contains(t, err.Error(), "want 1.MINOR")
}
