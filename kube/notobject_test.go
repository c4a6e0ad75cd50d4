package kube_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kube"
)

// TestReadNotObject: documents that are no Kubernetes object at all (what a directory of
// real manifests also holds: values files, kustomizations, CI workflows, Ansible lists) match
// ErrNotObject, so that callers can skip them; broken objects (one of kind and apiVersion)
// and syntax errors do not. A Helm template's syntax error says to render it first.
func TestReadNotObject(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		notObject   bool
		message     string
	}{
		{"values file", "replicaCount: 1\nimage:\n  repository: nginx\n", true, `object has no "kind"`},
		{"kustomization without kind", "resources:\n- deploy.yaml\n", true, `object has no "kind"`},
		{"a sequence", "- hosts: all\n  tasks: []\n", true, "not a Kubernetes object: a YAML sequence"},
		{"a scalar", "just text\n", true, "not a Kubernetes object: a YAML scalar (str)"},
		{"apiVersion without kind", "apiVersion: v1\nmetadata: {name: x}\n", false, `object has no "kind"`},
		{"kind without apiVersion", "kind: Pod\nmetadata: {name: x}\n", false, `Pod has no "apiVersion"`},
		{"a List item without kind", "apiVersion: v1\nkind: List\nitems:\n- {a: 1}\n", true, `object has no "kind"`},
		{"a syntax error", "a: [\n", false, "did not find expected node content"},
		{"a Helm template", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n  labels: {{- include \"x\" . | nindent 4 }}\n", false,
			"the document holds {{: a template, such as a Helm chart's, must be rendered first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := kube.Read(strings.NewReader(tc.input), kube.Options{File: "x.yaml"})
			require.Error(t, err)
			require.Len(t, m.Errors, 1)
			assert.Equal(t, tc.notObject, errors.Is(m.Errors[0], kube.ErrNotObject), "%v", m.Errors[0])
			assert.ErrorIs(t, m.Errors[0], kube.ErrMalformed)
			assert.Contains(t, m.Errors[0].Error(), tc.message)
		})
	}
}
