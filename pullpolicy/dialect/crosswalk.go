package dialect

import (
	"strings"
)

// Row is one spelling of one system in the cross-walk between systems' pull policies.
type Row struct {
	System  System
	Title   string   // the system's name in prose: "Podman, Buildah"
	Policy  string   // the spelling, or a family such as "every_<duration>"
	Aliases []string // other spellings accepted for the same policy
	// Present, Absent and Unavailable say what the policy does when the image is in the
	// local store, when it is not, and when the registry cannot be reached.
	Present, Absent, Unavailable string
	Kubernetes                   Mapping // the nearest Kubernetes policy
	Note                         string  // what the system adds beyond the columns
}

// CrossWalk returns every system's spellings, from the same tables [Parse], [Decide] and
// [ToKubernetes] use, in the order of [Systems]. The README's table is [CrossWalkMarkdown].
func CrossWalk() []Row {
	var rows []Row
	for _, t := range tables {
		for _, e := range t.entries {
			b := e.rule.describe()
			if e.rule == ruleInvalid {
				b = e.custom
			}
			rows = append(rows, Row{
				System: t.system, Title: t.title, Policy: e.name, Aliases: append([]string(nil), e.aliases...),
				Present: b.present, Absent: b.absent, Unavailable: b.unavailable, Kubernetes: e.k8s, Note: e.note,
			})
		}
	}
	return rows
}

// CrossWalkMarkdown returns the cross-walk as Markdown: a table of where each system takes its
// value and how it treats case, then one row per spelling.
func CrossWalkMarkdown() string {
	var b strings.Builder
	b.WriteString("| System | `--dialect` | Where the value is written | Spelling |\n|---|---|---|---|\n")
	for _, t := range tables {
		cells(&b, t.title, code(string(t.system)), t.setting, t.cases)
	}
	b.WriteString("\n| System | Policy | Also accepted | Image present | Image absent | Registry unreachable | Kubernetes | Notes |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, r := range CrossWalk() {
		aliases := make([]string, len(r.Aliases))
		for i, a := range r.Aliases {
			aliases[i] = code(a)
		}
		notes := r.Note
		if r.Kubernetes.Note != "" {
			if notes != "" {
				notes += "; "
			}
			notes += r.Kubernetes.Note
		}
		cells(&b, r.Title, code(r.Policy), strings.Join(aliases, ", "), r.Present, r.Absent, r.Unavailable, kubeCell(r.Kubernetes), notes)
	}
	return b.String()
}

// kubeCell is a Mapping in a table cell.
func kubeCell(m Mapping) string {
	switch {
	case m.Match == NoEquivalent:
		return "none"
	case m.Kubernetes == "" && m.Match == Approximate:
		return "≈ the first entry's"
	case m.Kubernetes == "":
		return "unset (the API server's default)"
	case m.Match == Approximate:
		return "≈ " + code(string(m.Kubernetes))
	default:
		return code(string(m.Kubernetes))
	}
}

// code quotes s as Markdown code; the empty spelling shows as `""`.
func code(s string) string {
	if s == "" {
		return "`\"\"`"
	}
	return "`" + s + "`"
}

// cells writes one table row, escaping the cell separator.
func cells(b *strings.Builder, cs ...string) {
	b.WriteString("|")
	for _, c := range cs {
		b.WriteString(" ")
		b.WriteString(strings.ReplaceAll(c, "|", `\|`))
		b.WriteString(" |")
	}
	b.WriteString("\n")
}
