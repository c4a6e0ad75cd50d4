package lint

import (
	"encoding/json"
	"io"
)

// jsonReport is the shape of [WriteJSON]'s output.
type jsonReport struct {
	Findings   []Finding `json:"findings"`
	Suppressed []Finding `json:"suppressed"`
	Summary    summary   `json:"summary"`
}

type summary struct {
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Notes      int `json:"notes"`
	Suppressed int `json:"suppressed"`
}

// WriteJSON writes findings for machines: {"findings": [...], "suppressed": [...],
// "summary": {"errors": N, "warnings": N, "notes": N, "suppressed": N}}, each finding with
// the fields of [Finding] under their json names; the suppressed findings, with their
// "suppression", are apart and not counted among the errors, warnings and notes. The shape
// is stable; fields may be added.
func WriteJSON(w io.Writer, findings []Finding) error {
	r := jsonReport{Findings: []Finding{}, Suppressed: []Finding{}}
	for i := range findings {
		if findings[i].Suppression != nil {
			r.Suppressed = append(r.Suppressed, findings[i])
			r.Summary.Suppressed++
			continue
		}
		r.Findings = append(r.Findings, findings[i])
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

// MarshalJSON encodes the finding under the json names of its fields, leaving "item" out
// for an object that is not in a List (Item -1).
func (f Finding) MarshalJSON() ([]byte, error) {
	type plain Finding // without the method
	out := struct {
		plain
		Item *int `json:"item,omitempty"` // shadows plain's Item
	}{plain: plain(f)}
	if f.Item >= 0 {
		out.Item = &f.Item
	}
	return json.Marshal(out)
}
