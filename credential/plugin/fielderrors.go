package plugin

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// fieldErrorType is the kind of a validation problem, spelled as the kubelet spells it.
type fieldErrorType string

const (
	fieldRequired     fieldErrorType = "Required value"
	fieldInvalid      fieldErrorType = "Invalid value"
	fieldDuplicate    fieldErrorType = "Duplicate value"
	fieldNotSupported fieldErrorType = "Unsupported value"
	fieldForbidden    fieldErrorType = "Forbidden"
)

// fieldError is one validation problem, printed as the kubelet prints its field errors
// (k8s.io/apimachinery's field.Error): "providers.name: Invalid value: \"a/b\": detail".
type fieldError struct {
	kind   fieldErrorType
	field  string
	value  any // printed for Invalid, Duplicate and NotSupported
	detail string
}

func (e fieldError) Error() string {
	s := e.field + ": " + string(e.kind)
	if e.kind != fieldRequired && e.kind != fieldForbidden {
		s += ": " + formatValue(e.value)
	}
	if e.detail != "" {
		s += ": " + e.detail
	}
	return s
}

// formatValue prints a bad value as the kubelet does: strings (and Stringers) quoted, simple
// numbers and booleans as they are, anything else as JSON.
func formatValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case fmt.Stringer:
		return strconv.Quote(t.String())
	case int, int32, int64, float32, float64, bool:
		return fmt.Sprint(t)
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return strconv.Quote(rv.String())
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// notSupported is the kubelet's field.NotSupported: the supported values, quoted, in the
// detail.
func notSupported(field string, value any, supported []string) fieldError {
	quoted := make([]string, len(supported))
	for i, s := range supported {
		quoted[i] = strconv.Quote(s)
	}
	return fieldError{kind: fieldNotSupported, field: field, value: value, detail: "supported values: " + strings.Join(quoted, ", ")}
}

// fieldErrors is a validation result, printed as the kubelet's aggregate: one message alone,
// several in brackets separated by ", ", each distinct message once.
type fieldErrors []fieldError

func (list fieldErrors) Error() string {
	var msgs []string
	seen := make(map[string]bool, len(list))
	for _, e := range list {
		m := e.Error()
		if !seen[m] {
			seen[m] = true
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 1 {
		return msgs[0]
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}
