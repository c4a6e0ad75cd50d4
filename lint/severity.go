package lint

import (
	"errors"
	"fmt"
)

// Severity is how much a finding matters. The zero Severity is not a severity: in a [Config]
// it means "the rule's default".
type Severity int

// The three severities, as SARIF names its levels.
const (
	// Note is worth knowing; nothing breaks.
	Note Severity = iota + 1
	// Warning is likely to cause surprises: images that differ between nodes, pulls that
	// should not happen.
	Warning
	// Error is a pod that fails or that runs something else than it says.
	Error
)

// ErrInvalidSeverity is matched by the errors of [ParseSeverity].
var ErrInvalidSeverity = errors.New("invalid severity")

// ParseSeverity parses "note" (or "info"), "warning" and "error".
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "note", "info":
		return Note, nil
	case "warning":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("%w %q: want note, warning or error", ErrInvalidSeverity, s)
}

// String returns "note", "warning" or "error"; "" for the zero Severity.
func (s Severity) String() string {
	switch s {
	case Note:
		return "note"
	case Warning:
		return "warning"
	case Error:
		return "error"
	case 0:
		return ""
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// MarshalText returns [Severity.String].
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses text with [ParseSeverity].
func (s *Severity) UnmarshalText(text []byte) error {
	v, err := ParseSeverity(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Reaches reports whether any finding that is not suppressed is at least min severe: the
// CLI's exit code.
func Reaches(findings []Finding, min Severity) bool {
	for i := range findings {
		if findings[i].Severity >= min && findings[i].Suppression == nil {
			return true
		}
	}
	return false
}
