package kube_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/imagepull/imagepull/kube"
)

// FuzzRead feeds arbitrary input to Read: it must not panic, must report every problem as a
// *DocumentError with a document number and a line, and must give every image of a workload
// read from text a line inside the input.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a: &x {b: *x}"))
	f.Add([]byte(`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := kube.Read(bytes.NewReader(data), kube.Options{MaxBytes: 1 << 20})
		if err != nil && !errors.Is(err, kube.ErrMalformed) && !errors.Is(err, kube.ErrTooLarge) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if m == nil {
			return
		}
		lines := yamlLines(data)
		for _, e := range m.Errors {
			if e.Document < 1 || e.Line < 1 || e.Line > lines {
				t.Fatalf("error without a place in the input: %v", e)
			}
		}
		for _, w := range m.Workloads {
			for _, img := range w.Images() {
				if l := w.Line(img.Path); l < 1 || l > lines {
					t.Fatalf("%s: line %d outside 1..%d", img.Path, l, lines)
				}
			}
		}
	})
}

// yamlLines counts the lines of data as the YAML parser does: "\n", "\r\n", a lone "\r",
// and the Unicode breaks NEL (U+0085), LS (U+2028) and PS (U+2029) each end a line.
func yamlLines(data []byte) int {
	n := 1 + bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n"))
	for _, br := range []string{"\u0085", "\u2028", "\u2029"} {
		n += bytes.Count(data, []byte(br))
	}
	return n
}
