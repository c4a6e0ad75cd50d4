package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kube/kustomize"
)

// FuzzStdinManifests feeds arbitrary bytes as standard input to the reading of explain and
// lint (-f -). It must not panic; it fails only with an input error (exit code 2); it reads
// no more objects than the input has bytes; and it reads exactly what the same bytes give
// from a file (-f FILE), the file's name aside.
func FuzzStdinManifests(f *testing.F) {
	for _, p := range []string{"../../examples/manifests/shop.yaml", "testdata/malformed/mixed.yaml", "testdata/manifests/batch.json"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec: {containers: [{name: a, image: nginx}]}\n",
		"---\n# only a comment\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/dockerconfigjson\n",
		`{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"image":"a"}]}}}} {"kind":`,
		"a: &x {b: *x}",
		"",
	} {
		f.Add([]byte(seed))
	}
	file := filepath.Join(f.TempDir(), "input.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		fromStdin, stdinErr := readAll(t, newApp(bytes.NewReader(data), io.Discard, io.Discard, false), "-")
		if stdinErr != nil {
			var ie *inputError
			if !errors.As(stdinErr, &ie) {
				t.Fatalf("standard input failed with more than an input error: %v", stdinErr)
			}
		}
		objects := 0
		for _, m := range fromStdin {
			objects += len(m.Workloads) + len(m.Secrets) + len(m.Skipped) + len(m.Errors)
		}
		if objects > len(data)+1 {
			t.Fatalf("%d objects from %d bytes", objects, len(data))
		}
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fromFile, fileErr := readAll(t, newApp(strings.NewReader(""), io.Discard, io.Discard, false), file)
		if errText(stdinErr) != strings.ReplaceAll(errText(fileErr), file, "-") {
			t.Fatalf("standard input: %v; the same bytes from a file: %v", stdinErr, fileErr)
		}
		unnamed(fromStdin)
		unnamed(fromFile)
		if !reflect.DeepEqual(fromStdin, fromFile) {
			t.Fatalf("standard input and a file of the same bytes read differently: %q", data)
		}
	})
}

// readAll reads the input named as -f would name it, as explain and lint do.
func readAll(t *testing.T, a *app, name string) ([]*kube.Manifest, error) {
	var out []*kube.Manifest
	in := &inputFlags{files: fileFlag{name}, command: "fuzz"}
	err := a.eachManifest(t.Context(), in, a.newProgress("files", 0), func(m *kube.Manifest, _ *kustomize.Rendered) error {
		out = append(out, m)
		return nil
	})
	return out, err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// unnamed clears the name the input was read under from everything read.
func unnamed(ms []*kube.Manifest) {
	for _, m := range ms {
		for _, w := range m.Workloads {
			w.Source.File = ""
		}
		for _, s := range m.Secrets {
			s.Source.File = ""
		}
		for i := range m.Skipped {
			m.Skipped[i].Source.File = ""
		}
		for _, e := range m.Errors {
			e.Source.File = ""
		}
	}
}
