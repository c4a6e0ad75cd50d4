package kube_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kube"
)

// TestReadYAML11Booleans: plain yes, no, on, off, y and n are read as kubectl reads them
// (YAML 1.1 booleans, sigs.k8s.io/yaml on go.yaml.in/yaml/v2), so a label value written so
// is rejected, as the API server rejects it, and a boolean field written so is accepted.
// Quoted, tagged and JSON strings stay strings. The error names the label and its line.
func TestReadYAML11Booleans(t *testing.T) {
	const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {LABELS}\nspec:\n  hostNetwork: HOST\n  containers:\n  - {name: c, image: nginx:1.25}\n"
	const deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels: {LABELS}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: c, image: nginx:1.25}\n"
	for _, tc := range []struct {
		name, doc string
		err       string // "" when the object is read
		labels    map[string]string
		host      bool
	}{
		{"a yes label value on a Pod", strings.NewReplacer("LABELS", "enabled: yes", "HOST", "false").Replace(pod),
			"document 1 (line 5): malformed document: metadata.labels.enabled: the API server rejects a boolean where it wants a string", nil, false},
		{"an off label value on a Deployment", strings.NewReplacer("LABELS", "enabled: off").Replace(deploy),
			"document 1 (line 5): malformed document: metadata.labels.enabled: the API server rejects a boolean", nil, false},
		{"y is a boolean too", strings.NewReplacer("LABELS", "a: y", "HOST", "false").Replace(pod), "metadata.labels.a: the API server rejects a boolean", nil, false},
		{"a quoted yes is a string", strings.NewReplacer("LABELS", `enabled: "yes"`, "HOST", "false").Replace(pod), "",
			map[string]string{"enabled": "yes"}, false},
		{"a tagged yes is a string", strings.NewReplacer("LABELS", "enabled: !!str yes", "HOST", "false").Replace(pod), "",
			map[string]string{"enabled": "yes"}, false},
		{"yes where a boolean is wanted", strings.NewReplacer("LABELS", "a: b", "HOST", "yes").Replace(pod), "",
			map[string]string{"a": "b"}, true},
		{"a yes key is the string true", strings.NewReplacer("LABELS", "yes: a", "HOST", "On").Replace(pod), "",
			map[string]string{"true": "a"}, true},
		{"yesterday is a string", strings.NewReplacer("LABELS", "when: yesterday", "HOST", "false").Replace(pod), "",
			map[string]string{"when": "yesterday"}, false},
		{"a JSON string yes", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"enabled": "yes"}},` +
			`"spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}`, "", map[string]string{"enabled": "yes"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := kube.Read(strings.NewReader(tc.doc), kube.Options{File: "x.yaml"})
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.Empty(t, m.Workloads)
				return
			}
			require.NoError(t, err)
			require.Len(t, m.Workloads, 1)
			w := m.Workloads[0]
			assert.Equal(t, tc.labels, w.Metadata.Labels)
			assert.Equal(t, tc.host, w.Template.Spec.HostNetwork)
		})
	}
}

// TestReadMetadata: a workload's own metadata is read (a Deployment's is not its template's).
func TestReadMetadata(t *testing.T) {
	const doc = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations: {a: b}\nspec:\n  template:\n" +
		"    metadata:\n      annotations: {c: d}\n    spec:\n      containers:\n      - {name: c, image: nginx:1.25}\n"
	m, err := kube.Read(strings.NewReader(doc), kube.Options{})
	require.NoError(t, err)
	require.Len(t, m.Workloads, 1)
	assert.Equal(t, map[string]string{"a": "b"}, m.Workloads[0].Metadata.Annotations)
	assert.Equal(t, "d", m.Workloads[0].Metadata.Name)
	assert.Equal(t, map[string]string{"c": "d"}, m.Workloads[0].Template.Annotations)
}
