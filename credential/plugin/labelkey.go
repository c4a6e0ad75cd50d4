package plugin

import (
	"regexp"
	"strconv"
	"strings"
)

// The rules of a Kubernetes qualified name (a label or annotation key), with the kubelet's
// messages: an optional DNS subdomain prefix and "/", then a name of at most 63 bytes.
const (
	labelKeyFmt         = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
	labelKeyMsg         = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	labelKeyMaxLen      = 63
	dnsSubdomainFmt     = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
	dnsSubdomainMsg     = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
	dnsSubdomainMaxLen  = 253
	emptyMsg            = "must be non-empty"
	labelKeyExamplesMsg = " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
)

// qualifiedNameRules holds the compiled patterns of a qualified name. It is built per
// validation, so that the package keeps no global state.
type qualifiedNameRules struct {
	name, subdomain *regexp.Regexp
}

func newQualifiedNameRules() qualifiedNameRules {
	return qualifiedNameRules{
		name:      regexp.MustCompile("^" + labelKeyFmt + "$"),
		subdomain: regexp.MustCompile("^" + dnsSubdomainFmt + "$"),
	}
}

// check returns what is wrong with value as a qualified name, in the kubelet's words (its
// IsQualifiedName); nil when it is valid.
func (r qualifiedNameRules) check(value string) []string {
	var errs []string
	parts := strings.Split(value, "/")
	name := parts[0]
	switch len(parts) {
	case 1:
	case 2:
		prefix := parts[0]
		name = parts[1]
		if prefix == "" {
			errs = append(errs, "prefix part "+emptyMsg)
		} else {
			for _, m := range r.subdomainErrors(prefix) {
				errs = append(errs, "prefix part "+m)
			}
		}
	default:
		return append(errs, "a valid label key "+regexError(labelKeyMsg, labelKeyFmt, "MyName", "my.name", "123-abc")+labelKeyExamplesMsg)
	}
	if name == "" {
		errs = append(errs, "name part "+emptyMsg)
	} else if len(name) > labelKeyMaxLen {
		errs = append(errs, "name part "+maxLenError(labelKeyMaxLen))
	}
	if !r.name.MatchString(name) {
		errs = append(errs, "name part "+regexError(labelKeyMsg, labelKeyFmt, "MyName", "my.name", "123-abc"))
	}
	return errs
}

func (r qualifiedNameRules) subdomainErrors(value string) []string {
	var errs []string
	if len(value) > dnsSubdomainMaxLen {
		errs = append(errs, maxLenError(dnsSubdomainMaxLen))
	}
	if !r.subdomain.MatchString(value) {
		errs = append(errs, regexError(dnsSubdomainMsg, dnsSubdomainFmt, "example.com"))
	}
	return errs
}

func maxLenError(n int) string { return "must be no more than " + strconv.Itoa(n) + " bytes" }

// regexError is the kubelet's explanation of a pattern mismatch, examples included.
func regexError(msg, re string, examples ...string) string {
	var b strings.Builder
	b.WriteString(msg)
	b.WriteString(" (e.g. ")
	for i, e := range examples {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString("'" + e + "', ")
	}
	b.WriteString("regex used for validation is '" + re + "')")
	return b.String()
}
