package main

import (
	"encoding/json"
	"io"
)

// writeJSON writes v as indented JSON followed by a newline, HTML characters unescaped.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
