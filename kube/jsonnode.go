package kube

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	yaml "go.yaml.in/yaml/v3"
)

// jsonStream reads a stream of JSON values (one or more, concatenated or whitespace
// separated) into YAML node trees with line numbers, so that JSON and YAML input take the
// same path from there on.
type jsonStream struct {
	data  []byte
	dec   *json.Decoder
	lines lineCounter
	depth int
}

func newJSONStream(data []byte) *jsonStream {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return &jsonStream{data: data, dec: dec, lines: lineCounter{data: data}}
}

// maxJSONDepth bounds nesting, as the YAML parser does, so that a hostile document cannot
// exhaust the stack.
const maxJSONDepth = 10000

// next returns the next value as a document node and the 1-based line it starts on; io.EOF
// after the last one. A syntax error is returned with the line it was found on; the stream
// cannot go on after it.
func (s *jsonStream) next() (*yaml.Node, int, error) {
	if !s.dec.More() {
		if _, err := s.dec.Token(); err == io.EOF {
			return nil, 0, io.EOF
		}
		return nil, s.lines.at(s.dec.InputOffset()), errors.New("invalid character after the last value")
	}
	start := s.lines.at(s.skipSpace(s.dec.InputOffset()))
	n, err := s.value()
	if err != nil {
		return nil, s.lines.at(s.dec.InputOffset()), err
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Line: start, Content: []*yaml.Node{n}}, start, nil
}

// skipSpace returns the offset of the first non-space byte at or after off.
func (s *jsonStream) skipSpace(off int64) int64 {
	for off < int64(len(s.data)) {
		switch s.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// value reads one JSON value into a node.
func (s *jsonStream) value() (*yaml.Node, error) {
	line := s.lines.at(s.skipSpace(s.dec.InputOffset()))
	tok, err := s.dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if s.depth++; s.depth > maxJSONDepth {
			return nil, errors.New("exceeded max depth of 10000")
		}
		defer func() { s.depth-- }()
		if t == '[' {
			return s.sequence(line)
		}
		return s.mapping(line)
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: t, Line: line}, nil
	case json.Number:
		tag := "!!int"
		if bytes.ContainsAny([]byte(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t), Line: line}, nil
	case bool:
		v := "false"
		if t {
			v = "true"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v, Line: line}, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: line}, nil
}

func (s *jsonStream) sequence(line int) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
	for s.dec.More() {
		c, err := s.value()
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, c)
	}
	return n, s.closing()
}

func (s *jsonStream) mapping(line int) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
	for s.dec.More() {
		k, err := s.value() // a key: the decoder only returns strings here
		if err != nil {
			return nil, err
		}
		v, err := s.value()
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, k, v)
	}
	return n, s.closing()
}

// lineCounter maps byte offsets to 1-based lines; offsets must not decrease between calls.
type lineCounter struct {
	data []byte
	off  int64 // offset counted up to
	line int   // 0-based line of off
}

func (c *lineCounter) at(off int64) int {
	if off > int64(len(c.data)) {
		off = int64(len(c.data))
	}
	if off < c.off {
		c.off, c.line = 0, 0
	}
	c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
	c.off = off
	return c.line + 1
}

// closing reads the delimiter that ends an array or object.
func (s *jsonStream) closing() error {
	_, err := s.dec.Token()
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
