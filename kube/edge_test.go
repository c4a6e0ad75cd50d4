package kube_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kube"
)

// TestReadEdges covers input shapes beyond the testdata manifests: what is an object, what
// is skipped, and what is a document error.
func TestReadEdges(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		workloads []string // "Kind/name images…"
		skipped   []string
		errors    []string
	}{
		{name: "empty", input: ""},
		{name: "only comments and markers", input: "# nothing\n---\n# still nothing\n---\n"},
		{name: "byte order mark", input: "\ufeffapiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: nginx}]}\n",
			workloads: []string{"Pod/p nginx"}},
		{name: "document marker with content", input: "--- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: x}]}}\n",
			workloads: []string{"Pod/p x"}},
		{name: "marker-like text is not a marker", input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: |\n    ---x\n",
			skipped: []string{"ConfigMap/c: kind has no pod template"}},
		{name: "merge keys and anchors", input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - &base {name: a, image: "app:1", imagePullPolicy: Never}
      - <<: *base
        name: b
        image: app:2
`, workloads: []string{"Deployment/d app:1(Never) app:2(Never)"}},
		{name: "foreign API group", input: "apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: x}\n",
			skipped: []string{"Deployment/x: not a Kubernetes workload API version"}},
		{name: "old API version of a workload", input: "apiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata: {name: ds}\nspec: {template: {spec: {containers: [{name: a, image: old}]}}}\n",
			workloads: []string{"DaemonSet/ds old"}},
		{name: "a patch without a template", input: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 2}\n",
			skipped: []string{"Deployment/d: no pod template at spec.template (a patch?)"}},
		{name: "typed list", input: "apiVersion: v1\nkind: PodList\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: x}]}}\n",
			workloads: []string{"Pod/p x"}},
		{name: "list in a list", input: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items: []\n",
			errors: []string{"document 1, item 0 (line 4): malformed document: a List inside a List is not supported"}},
		{name: "list items not a sequence", input: "apiVersion: v1\nkind: List\nitems: {a: 1}\n",
			errors: []string{"document 1 (line 1): malformed document: List items: not a sequence but a YAML mapping"}},
		{name: "no apiVersion", input: "kind: Pod\n",
			errors: []string{`document 1 (line 1): malformed document: Pod has no "apiVersion"`}},
		{name: "scalar document", input: "--- hello\n",
			errors: []string{"document 1 (line 1): malformed document: not a Kubernetes object: a YAML scalar (str)"}},
		{name: "number where a string belongs", input: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: 1.25\n",
			errors: []string{"document 1 (line 1): malformed document: spec.containers.image: cannot use a JSON number as string"}},
		{name: "tab indentation", input: "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: p\n",
			errors: []string{"document 1 (line 4): malformed document: found character that cannot start any token"}},
		{name: "JSON syntax error ends the stream", input: "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}\n{\n  \"kind\": x\n}\n{\"kind\": \"Pod\"}",
			workloads: []string{"Pod/"},
			errors:    []string{"document 2 (line 3): malformed document: invalid character 'x' looking for beginning of value"}},
		{name: "JSON array", input: `[{"apiVersion": "v1", "kind": "Pod"}]`,
			errors: []string{"document 1 (line 1): malformed document: not a Kubernetes object: a YAML sequence"}},
		{name: "JSON escapes", input: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p\u00e9"},"spec":{"containers":[{"name":"a","image":"reg.example.com\/a:1"}]}}`,
			workloads: []string{"Pod/pé reg.example.com/a:1"}},
		{name: "truncated JSON", input: `{"apiVersion":"v1","kind":"Pod","spec":{"containers":[`,
			errors: []string{"document 1 (line 1): malformed document: unexpected EOF"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := kube.Read(strings.NewReader(tc.input), kube.Options{})
			var got []string
			for _, w := range m.Workloads {
				s := w.Kind + "/" + w.Name
				for _, i := range w.Images() {
					s += " " + i.Image
					if i.Policy != "" {
						s += "(" + string(i.Policy) + ")"
					}
				}
				got = append(got, s)
			}
			assert.Equal(t, tc.workloads, got)
			assert.Equal(t, tc.skipped, skippedOf(m))
			var errs []string
			for _, e := range m.Errors {
				errs = append(errs, e.Error())
			}
			assert.Equal(t, tc.errors, errs)
			if tc.errors == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, kube.ErrMalformed)
			}
		})
	}
}

// TestReadLimits checks the bounds: input size, and YAML aliases that expand a small
// document into a huge one.
func TestReadLimits(t *testing.T) {
	_, err := kube.Read(strings.NewReader(strings.Repeat("#", 101)), kube.Options{File: "big.yaml", MaxBytes: 100})
	require.ErrorIs(t, err, kube.ErrTooLarge)
	assert.EqualError(t, err, "big.yaml: input too large: more than 100 bytes")

	m, err := kube.Read(strings.NewReader(strings.Repeat("#", 100)), kube.Options{MaxBytes: 100})
	require.NoError(t, err)
	assert.Empty(t, m.Workloads)

	// Nine levels of nine aliases: about 400 million strings once expanded.
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata:\n  name: bomb\n  annotations:\n    a0: &a0 \"lol\"\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("    a" + itoa(i) + ": &a" + itoa(i) + " [")
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	b.WriteString("spec: {containers: [{name: a, image: x}]}\n")
	m, err = kube.Read(strings.NewReader(b.String()), kube.Options{MaxBytes: 1 << 20})
	require.ErrorIs(t, err, kube.ErrMalformed)
	require.Len(t, m.Errors, 1)
	assert.Empty(t, m.Workloads)
}

// TestReadRecursion checks that input nesting without end, through YAML aliases that contain
// themselves or plain depth, is an error, not a stack overflow.
func TestReadRecursion(t *testing.T) {
	tests := []struct{ name, input, want string }{
		{"alias inside itself", "apiVersion: v1\nkind: Pod\nmetadata: &x {a: *x}\nspec: {}\n", "nests more than 512 levels"},
		{"merge of itself", "apiVersion: v1\nkind: Pod\nmetadata: &x\n  name: p\n  labels: {<<: *x}\n", "nests more than 512 levels"},
		{"deep YAML", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), "exceeded max depth"},
		{"deep JSON", `{"a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "}", "exceeded max depth of 10000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := kube.Read(strings.NewReader(tc.input), kube.Options{})
			require.ErrorIs(t, err, kube.ErrMalformed)
			assert.ErrorContains(t, err, tc.want)
			assert.Empty(t, m.Workloads)
		})
	}
}

func itoa(i int) string { return string(rune('0' + i)) }
