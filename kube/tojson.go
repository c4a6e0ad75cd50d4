package kube

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// errTooLarge is the conversion of a document whose JSON form outgrows the limit: aliases
// can expand a small YAML document into a huge one ("billion laughs").
var errTooLarge = errors.New("document expands beyond the size limit (YAML aliases?)")

// jsonWriter turns a YAML node tree into JSON text, so that encoding/json can decode it into
// the Kubernetes API types (which carry only json tags). Scalars follow the tag the YAML
// parser resolved: a plain "1.25" is a number and a quoted one a string, as with kubectl.
type jsonWriter struct {
	buf   []byte
	limit int
	depth int // nesting of the node being written, aliases and merges included
}

// maxDepth bounds the nesting of a document, which also stops a YAML alias that contains
// itself ("a: &x {b: *x}"): Kubernetes objects nest a few dozen levels at most.
const maxDepth = 512

// errTooDeep is the conversion of a document that nests deeper than maxDepth.
var errTooDeep = errors.New("document nests more than 512 levels deep (a YAML alias that contains itself?)")

// appendJSON appends the JSON form of n to w.buf; it fails when the output passes w.limit.
func (w *jsonWriter) appendJSON(n *yaml.Node) error {
	if len(w.buf) > w.limit {
		return errTooLarge
	}
	if w.depth++; w.depth > maxDepth {
		return errTooDeep
	}
	defer func() { w.depth-- }()
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			w.buf = append(w.buf, "null"...)
			return nil
		}
		return w.appendJSON(n.Content[0])
	case yaml.AliasNode:
		return w.appendJSON(n.Alias)
	case yaml.SequenceNode:
		w.buf = append(w.buf, '[')
		for i, c := range n.Content {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			if err := w.appendJSON(c); err != nil {
				return err
			}
		}
		w.buf = append(w.buf, ']')
		return nil
	case yaml.MappingNode:
		w.buf = append(w.buf, '{')
		first := true
		if err := w.appendPairs(n, &first); err != nil {
			return err
		}
		w.buf = append(w.buf, '}')
		return nil
	}
	w.appendScalar(n)
	return nil
}

// appendPairs appends the key-value pairs of mapping n. Merge keys ("<<: *base") come first,
// so that the mapping's own keys, decoded later, win as YAML says they do.
func (w *jsonWriter) appendPairs(n *yaml.Node, first *bool) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			if err := w.appendMerge(n.Content[i+1], first); err != nil {
				return err
			}
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			continue
		}
		if !*first {
			w.buf = append(w.buf, ',')
		}
		*first = false
		if k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			return errors.New("line " + itoa(k.Line) + ": a mapping key must be a scalar")
		}
		key := k.Value
		if b, ok := yaml11Bool(k); ok { // a key kubectl reads as a boolean becomes "true" or "false"
			key = strconv.FormatBool(b)
		}
		w.buf = appendString(w.buf, key)
		w.buf = append(w.buf, ':')
		if err := w.appendJSON(v); err != nil {
			return err
		}
	}
	return nil
}

// appendMerge appends the pairs of a merge key's value: a mapping, or a sequence of them.
func (w *jsonWriter) appendMerge(v *yaml.Node, first *bool) error {
	if w.depth++; w.depth > maxDepth {
		return errTooDeep
	}
	defer func() { w.depth-- }()
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		return w.appendPairs(v, first)
	case yaml.SequenceNode:
		for i := len(v.Content) - 1; i >= 0; i-- { // earlier mappings win: emit them last
			if err := w.appendMerge(v.Content[i], first); err != nil {
				return err
			}
		}
		return nil
	}
	return errors.New("line " + itoa(v.Line) + ": a merge key needs a mapping")
}

// appendScalar appends a scalar by its resolved tag. YAML numbers JSON cannot spell (0x1F,
// 1_000, .inf) are normalised or, failing that, kept as strings.
func (w *jsonWriter) appendScalar(n *yaml.Node) {
	if b, ok := yaml11Bool(n); ok {
		w.buf = strconv.AppendBool(w.buf, b)
		return
	}
	switch n.ShortTag() {
	case "!!null":
		w.buf = append(w.buf, "null"...)
	case "!!bool":
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			w.buf = strconv.AppendBool(w.buf, b)
			return
		}
		w.buf = appendString(w.buf, n.Value)
	case "!!int":
		if isJSONInt(n.Value) {
			w.buf = append(w.buf, n.Value...)
		} else if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			w.buf = strconv.AppendInt(w.buf, i, 10)
		} else {
			w.buf = appendString(w.buf, n.Value)
		}
	case "!!float":
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			w.buf = strconv.AppendFloat(w.buf, f, 'g', -1, 64)
			return
		}
		w.buf = appendString(w.buf, n.Value)
	default:
		w.buf = appendString(w.buf, n.Value)
	}
}

// yaml11Bool reports whether n is a plain, untagged scalar that YAML 1.1 (go.yaml.in/yaml/v2,
// which kubectl reads manifests with) resolves to a boolean, and which.
func yaml11Bool(n *yaml.Node) (value, ok bool) {
	if n.Kind != yaml.ScalarNode || n.Style != 0 || n.Tag != "!!str" {
		return false, false
	}
	switch n.Value {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON":
		return true, true
	case "n", "N", "no", "No", "NO", "off", "Off", "OFF":
		return false, true
	}
	return false, false
}

// isJSONInt reports whether s is an integer as JSON writes it.
func isJSONInt(s string) bool {
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
