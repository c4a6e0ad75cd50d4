package lint

import (
	"encoding/json"
	"io"
)

// jsonReport is the shape of [WriteJSON]'s output.
type jsonReport struct {
	Findings []Finding `json:"findings"`
	Summary  summary   `json:"summary"`
}

type summary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notes    int `json:"notes"`
}

// WriteJSON writes findings for machines: {"findings": [...], "summary": {"errors": N,
// "warnings": N, "notes": N}}, each finding with the fields of [Finding] under their json
// names. The shape is stable; fields may be added.
func WriteJSON(w io.Writer, findings []Finding) error {
	r := jsonReport{Findings: findings}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	for i := range findings {
		switch findings[i].Severity {
		case Error:
			r.Summary.Errors++
		case Warning:
			r.Summary.Warnings++
		case Note:
			r.Summary.Notes++
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
