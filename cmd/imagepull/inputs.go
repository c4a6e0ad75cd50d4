package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/imagepull/imagepull/internal/safefile"
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kube/kustomize"
)

// fileFlag is -f: a repeatable flag naming manifest files, directories, or "-" for stdin.
// Unlike listFlag it does not split on commas: file names may hold them.
type fileFlag []string

func (f *fileFlag) String() string { return strings.Join(*f, " ") }

func (f *fileFlag) Set(s string) error {
	if s == "" {
		return errors.New("empty file name")
	}
	*f = append(*f, s)
	return nil
}

// inputFlags name the manifests a command reads.
type inputFlags struct {
	files     fileFlag
	recursive bool
	// strict fails on what is otherwise skipped with a note: documents that are not
	// Kubernetes objects, and Helm charts.
	strict  bool
	command string // the command's name, for the notes on stderr
}

func (in *inputFlags) register(fs *flagSet) {
	in.command = fs.Name()
	fs.Var(&in.files, "f", "read Kubernetes objects from `FILE` (YAML or JSON, one or several documents,\nLists too), from every .yaml, .yml and .json file of a directory, or from\nstandard input with -; repeatable")
	fs.alias("filename", "f")
	fs.BoolVar(&in.recursive, "R", false, "with -f DIR, read subdirectories too")
	fs.alias("recursive", "R")
	fs.BoolVar(&in.strict, "strict", false, "fail (exit code 2) on YAML that is not a Kubernetes object and on Helm charts,\ninstead of skipping them with a note")
}

// inputPath is one input to read: a file named with -f, a file found in a -f directory, or
// "-" for standard input.
type inputPath struct {
	name string
	// inDir is true for a file found in a directory: it is read only if it is a regular file
	// (or a symlink to one), and skipped with a note otherwise, since a FIFO named *.yaml
	// would block the reading forever. A file named with -f is opened as given, so that a
	// FIFO still works there: -f <(helm template ./chart).
	inDir bool
	// render is true for a kustomization's directory: it is rendered with kustomize (the
	// kustomization file given with -f, or found in a -f directory).
	render bool
	// chart is true for a Helm chart's directory (it holds Chart.yaml): it is not read, but
	// skipped with a note saying to pipe helm template into -f -.
	chart bool
}

// paths expands the -f values into the files to read, in order: a directory gives its
// manifest files sorted by name (and its subdirectories' with -R); "-" stays "-".
func (in *inputFlags) paths() ([]inputPath, error) {
	if len(in.files) == 0 {
		return nil, usagef("no input: give -f FILE, -f DIR or -f - (standard input)")
	}
	var out []inputPath
	stdin := 0
	for _, f := range in.files {
		if f == "-" {
			if stdin++; stdin > 1 {
				return nil, usagef("standard input (-f -) can be read once")
			}
			out = append(out, inputPath{name: f})
			continue
		}
		info, err := os.Stat(f)
		if err != nil {
			return nil, inputErr(namedErr(f, err))
		}
		if !info.IsDir() {
			if kustomize.IsFileName(filepath.Base(f)) { // -f overlays/prod/kustomization.yaml
				out = append(out, inputPath{name: filepath.Dir(f), render: true})
				continue
			}
			if chart, ok := chartOfTemplate(f); ok { // -f chart/templates/deploy.yaml
				out = append(out, inputPath{name: chart, chart: true})
				continue
			}
			out = append(out, inputPath{name: f})
			continue
		}
		files, err := manifestFiles(f, in.recursive)
		if err != nil {
			return nil, inputErr(err)
		}
		out = append(out, files...)
	}
	return out, nil
}

// namedErr is err of a file operation on name as "name: what went wrong", without the
// operation ("stat", "read") a *fs.PathError names.
func namedErr(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", name, pe.Err)
	}
	return err
}

// manifestFiles lists dir's manifest files, sorted, descending into subdirectories when
// recursive. A directory with a kustomization file is rendered instead of read, and a Helm
// chart's directory (Chart.yaml) is skipped, both whole, subdirectories included, as
// kube-linter takes a chart's directory whole (pkg/lintcontext/create_contexts.go:
// chartutil.IsChartDir, then filepath.SkipDir).
func manifestFiles(dir string, recursive bool) ([]inputPath, error) {
	var out []inputPath
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != dir && !recursive:
			return filepath.SkipDir
		case d.IsDir() && isChart(path):
			out = append(out, inputPath{name: path, chart: true})
			return filepath.SkipDir
		case d.IsDir():
			if _, ok := kustomize.File(path); ok {
				out = append(out, inputPath{name: path, render: true})
				return filepath.SkipDir
			}
		case isManifestName(path):
			out = append(out, inputPath{name: path, inDir: true})
		}
		return nil
	})
	return out, err
}

// chartOfTemplate returns the chart whose template file is a file: one under a templates
// directory of a chart. Its Go templates may even parse as YAML ({{ .Release.Name }} is a
// flow mapping) and be linted as nonsense, so it is skipped as the chart is.
func chartOfTemplate(file string) (string, bool) {
	for dir := filepath.Dir(file); ; {
		parent := filepath.Dir(dir)
		if filepath.Base(dir) == "templates" && isChart(parent) {
			return parent, true
		}
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// isChart reports whether dir is a Helm chart: it holds a Chart.yaml (helm's chartutil
// IsChartDir).
func isChart(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, "Chart.yaml"))
	return err == nil && info.Mode().IsRegular()
}

// isManifestName reports whether a file in a directory is read: .yaml, .yml or .json.
func isManifestName(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// input is what the commands read: every manifest, in order, and the Secrets of all of them
// (a pod's pull Secrets may sit in another file, as when a directory is applied).
type input struct {
	manifests []*kube.Manifest
	secrets   []*kube.Secret
	errors    []*kube.DocumentError
}

// read reads every input into memory (explain needs every Secret before the first pod).
func (a *app) read(ctx context.Context, in *inputFlags, progress *progress) (*input, error) {
	out := &input{}
	err := a.eachManifest(ctx, in, progress, func(m *kube.Manifest, _ *kustomize.Rendered) error {
		out.manifests = append(out.manifests, m)
		out.secrets = append(out.secrets, m.Secrets...)
		out.errors = append(out.errors, m.Errors...)
		return nil
	})
	return out, err
}

// eachManifest reads the inputs and calls fn with each manifest in input order, on the
// caller's goroutine; rendered is the rendered kustomization the manifest is, or nil. Files are read and parsed on GOMAXPROCS goroutines, at most twice that
// many ahead of fn, so that memory stays bounded however many files there are. A file that
// cannot be opened or is too large stops the reading with an input error (exit code 2);
// malformed documents are in the manifest's Errors. A directory's entry that is not a regular
// file (a FIFO, a device, a socket, a symlink to a directory) is skipped with a note on
// stderr, in input order, as is a Helm chart. Documents that are not Kubernetes objects
// (kube.ErrNotObject) are taken out of the manifest's Errors and counted in one note at the
// end, unless --strict.
func (a *app) eachManifest(ctx context.Context, in *inputFlags, progress *progress, fn func(m *kube.Manifest, rendered *kustomize.Rendered) error) error {
	paths, err := in.paths()
	if err != nil {
		return err
	}
	progress.total = len(paths)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	ahead := make(chan struct{}, 2*workers) // a token per file read but not yet handed to fn
	renders := make(chan struct{}, 1)
	results := make([]chan readResult, len(paths))
	for i := range results {
		results[i] = make(chan readResult, 1)
	}
	go func() {
		for i, p := range paths {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				if p.render { // one kustomization at a time: each takes tens of MB to render
					renders <- struct{}{}
					defer func() { <-renders }()
				}
				results[i] <- a.readOne(p)
			}()
		}
	}()
	notObjects, notObjectFiles := 0, 0
	for i := range paths {
		var r readResult
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-ahead
		if r.skipped != nil {
			if in.strict && r.chart {
				return inputErr(fmt.Errorf("%w (--strict)", r.skipped))
			}
			progress.finish() // erase the progress line, if shown, before the note
			fmt.Fprintf(a.stderr, "imagepull %s: skipped %s\n", in.command, r.skipped)
			progress.step(1)
			continue
		}
		if r.m == nil { // unreadable or too large; malformed documents come in r.m.Errors
			return inputErr(r.err)
		}
		if !in.strict {
			n := len(r.m.Errors)
			r.m.Errors = slices.DeleteFunc(r.m.Errors, func(e *kube.DocumentError) bool { return errors.Is(e, kube.ErrNotObject) })
			if n > len(r.m.Errors) {
				notObjects += n - len(r.m.Errors)
				notObjectFiles++
			}
		}
		if err := fn(r.m, r.rendered); err != nil {
			return err
		}
		progress.step(1)
	}
	if notObjects > 0 {
		progress.finish()
		fmt.Fprintf(a.stderr, "imagepull %s: skipped %d %s that %s not Kubernetes objects, in %d %s (--strict fails on them)\n",
			in.command, notObjects, pluralize(notObjects, "document"), pluralize(notObjects, "is", "are"), notObjectFiles, pluralize(notObjectFiles, "file"))
	}
	return nil
}

// pluralize is word, or its plural for n ≠ 1: the given one, or word+"s".
func pluralize(n int, word string, plural ...string) string {
	switch {
	case n == 1:
		return word
	case len(plural) > 0:
		return plural[0]
	}
	return word + "s"
}

type readResult struct {
	m   *kube.Manifest
	err error
	// skipped, for a directory's entry that is not a regular file or a Helm chart, says why
	// it was not read; chart is true for a chart.
	skipped error
	chart   bool
	// rendered is the rendered kustomization, for a kustomization's directory.
	rendered *kustomize.Rendered
}

// readOne reads one input: a file, or standard input for "-".
func (a *app) readOne(path inputPath) readResult {
	switch {
	case path.chart:
		return readResult{chart: true, skipped: fmt.Errorf("%s: a Helm chart (Chart.yaml): render it and lint the objects: helm template %s | imagepull lint -f -",
			path.name, path.name)}
	case path.render:
		r, err := kustomize.Render(path.name)
		if err != nil {
			// Reported with the malformed documents, after the rest: one broken overlay does
			// not hide the findings of the others.
			kfile, _ := kustomize.File(path.name)
			src := kube.Source{File: kfile, Document: 1, Line: 1, Item: -1}
			return readResult{m: &kube.Manifest{Errors: []*kube.DocumentError{{Source: src, Err: err}}}}
		}
		return readResult{m: r.Manifest, rendered: r}
	case path.name == "-":
		m, err := kube.Read(a.stdin, kube.Options{File: "-"})
		return readResult{m: m, err: err}
	case path.inDir:
		// Opened without blocking and checked before anything is read: a FIFO or a device
		// in a directory is skipped, never waited on or read without end.
		f, err := safefile.OpenRegular(path.name, safefile.FollowSymlinks)
		if errors.Is(err, safefile.ErrNotRegular) {
			return readResult{skipped: namedErr(path.name, err)}
		}
		if err != nil {
			return readResult{err: err}
		}
		defer f.Close()
		m, err := kube.Read(f, kube.Options{File: path.name})
		return readResult{m: m, err: err}
	}
	m, err := kube.ReadFile(path.name, kube.Options{})
	return readResult{m: m, err: err}
}

// malformed is the error for the documents that could not be read, after the output of
// the rest: one line each, and exit code 2.
func (in *input) malformed() error {
	if len(in.errors) == 0 {
		return nil
	}
	lines := make([]string, len(in.errors))
	for i, e := range in.errors {
		lines[i] = e.Error()
	}
	return inputErr(errors.New(strings.Join(lines, "\n")))
}
