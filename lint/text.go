package lint

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// WriteText writes findings for a person, sorted by file and line, one per line with its fix
// hint below, then the suppressed findings with their reasons, then a summary line:
//
//	deploy.yaml:23: warning IP001 policy-not-set: Deployment shop/web, container web (nginx): imagePullPolicy is not set: …
//	  fix: Set imagePullPolicy explicitly: …
//	deploy.yaml:9: suppressed IP002 mutable-tag: Deployment shop/web, container web (nginx): "we follow latest" (imagepull.dev/ignore-mutable-tag)
//	3 findings: 1 error, 2 warnings, 0 notes; 1 suppressed
func WriteText(w io.Writer, findings []Finding) error {
	sorted := slices.Clone(findings)
	slices.SortStableFunc(sorted, compareLocation)
	bw := bufio.NewWriter(w)
	var count [Error + 1]int
	active, suppressed := 0, 0
	for i := range sorted {
		f := &sorted[i]
		if f.Suppression != nil {
			suppressed++
			continue
		}
		active++
		if f.Severity >= Note && f.Severity <= Error {
			count[f.Severity]++
		}
		fmt.Fprintf(bw, "%s: %s %s %s: %s: %s\n  fix: %s\n", location(f), f.Severity, f.Rule, f.RuleName, subject(f), f.Message, f.Fix)
	}
	for i := range sorted {
		if f := &sorted[i]; f.Suppression != nil {
			fmt.Fprintf(bw, "%s: suppressed %s %s: %s: %s (%s)\n", location(f), f.Rule, f.RuleName, subject(f),
				strconv.Quote(f.Suppression.Reason), f.Suppression.Annotation)
		}
	}
	fmt.Fprintf(bw, "%d %s: %d %s, %d %s, %d %s", active, plural(active, "finding"),
		count[Error], plural(count[Error], "error"), count[Warning], plural(count[Warning], "warning"),
		count[Note], plural(count[Note], "note"))
	if suppressed > 0 {
		fmt.Fprintf(bw, "; %d suppressed", suppressed)
	}
	fmt.Fprintln(bw)
	return bw.Flush()
}

// compareLocation orders findings by file, line, document and List item.
func compareLocation(a, b Finding) int {
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Document, b.Document), cmp.Compare(a.Item, b.Item))
}

// subject names what a finding is about: "Deployment shop/web, container web (nginx)", or
// the object alone for a finding about the whole object.
func subject(f *Finding) string {
	s := f.Object.Kind + " " + objectName(f.Object)
	if f.Container == "" && f.Image == "" {
		return s
	}
	return s + ", " + f.ContainerKind.String() + " " + f.Container + " (" + f.Image + ")"
}

// location is "file:line", falling back to the document when the line is unknown.
func location(f *Finding) string {
	file := f.File
	if file == "" {
		file = "-"
	}
	if f.Line > 0 {
		return file + ":" + strconv.Itoa(f.Line)
	}
	return file + ": document " + strconv.Itoa(f.Document)
}

func objectName(o Object) string {
	if o.Namespace != "" {
		return o.Namespace + "/" + o.Name
	}
	return o.Name
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
