package kube

import "bytes"

// yamlDocument is one document of a YAML stream: its text and the 0-based line of the
// stream it starts on.
type yamlDocument struct {
	text []byte
	line int // 0-based line of text[0] in the stream
}

// splitYAML cuts a YAML stream into documents at every line that starts with the document
// marker "---" (followed by the end of the line or by a space or tab). The marker line stays
// with the document it opens, so that lines in parser errors stay right. Text before the
// first marker is a document only when it holds more than blank lines and comments.
func splitYAML(data []byte) []yamlDocument {
	var docs []yamlDocument
	start, startLine, line := 0, 0, 0
	for pos := 0; pos < len(data); line++ {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			next = pos + end + 1
		}
		if pos > 0 && isDocumentMarker(data[pos:next]) {
			docs = appendDocument(docs, data[start:pos], startLine)
			start, startLine = pos, line
		}
		pos = next
	}
	return appendDocument(docs, data[start:], startLine)
}

// appendDocument appends text as a document, except a leading one that is only blank lines
// and comments (YAML's "no document" before the first marker).
func appendDocument(docs []yamlDocument, text []byte, line int) []yamlDocument {
	if len(docs) == 0 && !isDocumentMarker(text) && onlyComments(text) {
		return docs
	}
	return append(docs, yamlDocument{text: text, line: line})
}

// isDocumentMarker reports whether line starts with "---" followed by its end or by a space
// or tab.
func isDocumentMarker(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	if len(line) == 3 {
		return true
	}
	switch line[3] {
	case '\n', '\r', ' ', '\t':
		return true
	}
	return false
}

// onlyComments reports whether text holds nothing but whitespace and comment lines.
func onlyComments(text []byte) bool {
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		line = bytes.TrimLeft(line, " \t\r\ufeff")
		if len(line) > 0 && line[0] != '#' {
			return false
		}
	}
	return true
}
