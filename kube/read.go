package kube

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	yaml "go.yaml.in/yaml/v3"
)

// DefaultMaxBytes is the input size [Read] accepts when [Options].MaxBytes is 0: 16 MiB,
// far above any hand-written or rendered manifest file. The JSON form of one document, after
// YAML aliases are expanded, is bounded by the same number.
const DefaultMaxBytes = 16 << 20

// ErrTooLarge is returned by [Read] for input larger than its limit.
var ErrTooLarge = errors.New("input too large")

// Options configure [Read]. The zero Options are valid.
type Options struct {
	// File names the input in every [Source] and error; "" leaves it unnamed.
	File string
	// MaxBytes is the largest input accepted; 0 means [DefaultMaxBytes].
	MaxBytes int64
}

// Manifest is what [Read] found in a stream of Kubernetes objects.
type Manifest struct {
	// Workloads are the objects with a pod template, in stream order (List items in place).
	Workloads []*Workload
	// Secrets are the Secret objects, in stream order.
	Secrets []*Secret
	// Skipped are the objects of kinds without a pod template (Service, ConfigMap, custom
	// resources…), each with the reason it was skipped.
	Skipped []Skipped
	// Errors are the documents that could not be read. Reading goes on past a malformed
	// YAML document; a JSON syntax error ends the stream.
	Errors []*DocumentError
}

// Secret is a Secret object read from a manifest, with where it was read.
type Secret struct {
	Source Source
	corev1.Secret
}

// Skipped is an object [Read] did not look into, and why.
type Skipped struct {
	Source                            Source
	APIVersion, Kind, Namespace, Name string
	Reason                            string
}

// Err returns the document errors joined (errors.Join), or nil when there are none.
func (m *Manifest) Err() error {
	errs := make([]error, len(m.Errors))
	for i, e := range m.Errors {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// ReadFile reads the file at path with [Read]; Options.File defaults to path.
func ReadFile(path string, opts Options) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if opts.File == "" {
		opts.File = path
	}
	return Read(f, opts)
}

// Read reads a stream of Kubernetes objects: multi-document YAML ("---" separated, with
// comments and empty documents, as Helm renders it) or JSON (one or more objects), and
// sorts them into workloads, Secrets and skipped objects. `kind: List` objects (and
// "PodList"-style lists) contribute their items.
//
// It returns an error wrapping [ErrTooLarge] for input over the size limit, or the reader's
// error; otherwise it returns the Manifest together with [Manifest.Err]: non-nil, listing
// every [*DocumentError], when some document was malformed, while the Manifest still holds
// everything that could be read.
func Read(r io.Reader, opts Options) (*Manifest, error) {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", orStdin(opts.File), ErrTooLarge, limit)
	}
	d := decoder{file: opts.File, m: &Manifest{}, json: jsonWriter{limit: int(limit)}}
	d.read(data)
	return d.m, d.m.Err()
}

func orStdin(file string) string {
	if file == "" {
		return "input"
	}
	return file
}

// decoder holds the state of one [Read].
type decoder struct {
	file   string
	offset int // lines before the current YAML document: its nodes count from its start
	m      *Manifest
	json   jsonWriter
}

func (d *decoder) read(data []byte) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if first := bytes.TrimLeft(data, " \t\r\n"); len(first) > 0 && (first[0] == '{' || first[0] == '[') {
		d.readJSON(data)
		return
	}
	for i, doc := range splitYAML(data) {
		src := Source{File: d.file, Document: i + 1, Line: doc.line + 1, Item: -1}
		var n yaml.Node
		d.offset = doc.line
		if err := yaml.Unmarshal(doc.text, &n); err != nil {
			var msg string
			src.Line, msg = yamlError(err, doc.line, src.Line)
			if bytes.Contains(doc.text, []byte("{{")) {
				msg += " (the document holds {{: a template, such as a Helm chart's, must be rendered first)"
			}
			d.fail(src, errors.New(msg))
			continue
		}
		d.document(&n, src)
	}
}

func (d *decoder) readJSON(data []byte) {
	s := newJSONStream(data)
	for doc := 1; ; doc++ {
		n, line, err := s.next()
		if err == io.EOF {
			return
		}
		src := Source{File: d.file, Document: doc, Line: line, Item: -1}
		if err != nil {
			d.fail(src, err)
			return
		}
		d.document(n, src)
	}
}

// document sorts one parsed document; an empty one (only comments, or null) is no object.
func (d *decoder) document(n *yaml.Node, src Source) {
	root := resolve(n)
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return
		}
		root = resolve(root.Content[0])
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return
	}
	if root.Line > 0 { // the parser gives no line for some odd inputs ("\u2029"): keep the document's
		src.Line = root.Line + d.offset
	}
	d.object(root, src, true)
}

// object sorts one object: a List's items, a Secret, a workload, or something skipped.
func (d *decoder) object(n *yaml.Node, src Source, top bool) {
	if n.Kind != yaml.MappingNode {
		d.fail(src, fmt.Errorf("%w: a YAML %s", ErrNotObject, kindName(n)))
		return
	}
	apiVersion, kind := scalar(n, "apiVersion"), scalar(n, "kind")
	switch {
	case kind == "" && apiVersion == "":
		d.fail(src, notObjectError{errors.New(`object has no "kind"`)})
		return
	case kind == "":
		d.fail(src, errors.New(`object has no "kind"`))
		return
	case apiVersion == "":
		d.fail(src, fmt.Errorf(`%s has no "apiVersion"`, kind))
		return
	}
	group, _, _ := strings.Cut(apiVersion, "/")
	if !strings.Contains(apiVersion, "/") {
		group = ""
	}
	if strings.HasSuffix(kind, "List") && field(n, "items") != nil {
		d.list(n, src, top, kind)
		return
	}
	if kind == "Secret" && group == "" {
		d.secret(n, src)
		return
	}
	path, ok := templatePath(group, kind)
	meta := field(n, "metadata")
	if !ok {
		reason := "kind has no pod template"
		if _, _, known := kindInfo(kind); known {
			reason = "not a Kubernetes workload API version"
		}
		d.m.Skipped = append(d.m.Skipped, Skipped{Source: src, APIVersion: apiVersion, Kind: kind,
			Namespace: scalar(meta, "namespace"), Name: scalar(meta, "name"), Reason: reason})
		return
	}
	w := &Workload{Source: src, APIVersion: apiVersion, Kind: kind, TemplatePath: path, node: n, lineOffset: d.offset,
		Namespace: scalar(meta, "namespace"), Name: scalar(meta, "name")}
	tmpl, found := lookup(n, path)
	if !found {
		d.m.Skipped = append(d.m.Skipped, Skipped{Source: src, APIVersion: apiVersion, Kind: kind,
			Namespace: w.Namespace, Name: w.Name, Reason: "no pod template at " + path + " (a patch?)"})
		return
	}
	if err := d.decode(tmpl, &w.Template, path); err != nil {
		src.Line = tmpl.Line + d.offset
		d.fail(src, err)
		return
	}
	if path == "" {
		w.Metadata = w.Template.ObjectMeta
	} else if meta != nil {
		// The object's own metadata: its annotations (suppressions) and, decoded as the API
		// server decodes it, its labels, which it rejects when they are not strings.
		if err := d.decode(meta, &w.Metadata, "metadata"); err != nil {
			src.Line = meta.Line + d.offset
			d.fail(src, err)
			return
		}
	}
	d.m.Workloads = append(d.m.Workloads, w)
}

func (d *decoder) list(n *yaml.Node, src Source, top bool, kind string) {
	if !top {
		d.fail(src, fmt.Errorf("a %s inside a List is not supported", kind))
		return
	}
	items := field(n, "items")
	if items.Kind != yaml.SequenceNode {
		if items.ShortTag() != "!!null" {
			d.fail(src, fmt.Errorf("%s items: not a sequence but a YAML %s", kind, kindName(items)))
		}
		return
	}
	for i, item := range items.Content {
		item = resolve(item)
		isrc := src
		isrc.Item, isrc.Line = i, item.Line+d.offset
		d.object(item, isrc, false)
	}
}

func (d *decoder) secret(n *yaml.Node, src Source) {
	s := &Secret{Source: src}
	if err := d.decode(n, &s.Secret, ""); err != nil {
		d.fail(src, err)
		return
	}
	// The API server folds stringData into data on write; the kubelet only ever sees data.
	for k, v := range s.StringData {
		if s.Data == nil {
			s.Data = make(map[string][]byte, len(s.StringData))
		}
		s.Data[k] = []byte(v)
	}
	s.StringData = nil
	d.m.Secrets = append(d.m.Secrets, s)
}

// decode decodes node n into v through its JSON form. at is n's path, for error messages.
func (d *decoder) decode(n *yaml.Node, v any, at string) error {
	d.json.buf, d.json.depth = d.json.buf[:0], 0
	if err := d.json.appendJSON(n); err != nil {
		return err
	}
	err := json.Unmarshal(d.json.buf, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		field := te.Field
		if at != "" {
			field = at + "." + field
		}
		if te.Value == "bool" && te.Type.Kind() == reflect.String {
			err := fmt.Errorf("%s: the API server rejects a boolean where it wants a string: "+
				"kubectl reads the plain YAML 1.1 booleans yes, no, on, off, y and n as true or false, so quote the value", field)
			if key, line := yaml11BoolIn(n, te.Field); line > 0 { // point at the value, as written
				err = fmt.Errorf("%s.%s: the API server rejects a boolean where it wants a string: "+
					"kubectl reads the plain YAML 1.1 booleans yes, no, on, off, y and n as true or false, so quote the value", field, key)
				return &lineError{line: line, err: err}
			}
			return err
		}
		return fmt.Errorf("%s: cannot use a JSON %s as %s", field, te.Value, te.Type)
	}
	return err
}

func (d *decoder) fail(src Source, err error) {
	var le *lineError
	if errors.As(err, &le) {
		src.Line, err = le.line+d.offset, le.err
	}
	d.m.Errors = append(d.m.Errors, &DocumentError{Source: src, Err: err})
}

// lineError is an error about the node on line (counted from the document's start).
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return e.err.Error() }

// yaml11BoolIn finds, in the mapping at path under n (labels, annotations…), the first value
// written as a plain YAML 1.1 boolean: its key and line; line 0 when there is none.
func yaml11BoolIn(n *yaml.Node, path string) (string, int) {
	c, ok := lookup(n, path)
	if !ok {
		return "", 0
	}
	if c.Kind != yaml.MappingNode {
		return "", 0 // a string field written yes: the message names it already
	}
	for i := 0; i+1 < len(c.Content); i += 2 {
		if _, is := yaml11Bool(resolve(c.Content[i+1])); is {
			return c.Content[i].Value, c.Content[i+1].Line
		}
	}
	return "", 0
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "sequence"
	case yaml.MappingNode:
		return "mapping"
	}
	return "scalar (" + strings.TrimPrefix(n.ShortTag(), "!!") + ")"
}

// yamlError returns the stream line and the message of a YAML parse error. The parser's
// "yaml: line 3: …" counts from the document's first line (offset, 0-based in the stream);
// def is the line when the error names none.
func yamlError(err error, offset, def int) (int, string) {
	text := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		text = te.Errors[0]
	}
	text = strings.TrimPrefix(text, "yaml: ")
	rest, ok := strings.CutPrefix(text, "line ")
	if !ok {
		return def, text
	}
	digits, msg, ok := strings.Cut(rest, ": ")
	line, err := strconv.Atoi(digits)
	if !ok || err != nil {
		return def, text
	}
	return offset + line, msg
}
