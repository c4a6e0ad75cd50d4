package lint

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// WriteText writes findings for a person, one per line with its fix hint below, then a
// summary line:
//
//	deploy.yaml:23: warning IP001 policy-not-set: Deployment shop/web, container web (nginx): imagePullPolicy is not set: …
//	  fix: Set imagePullPolicy explicitly: …
//	3 findings: 1 error, 2 warnings, 0 notes
func WriteText(w io.Writer, findings []Finding) error {
	bw := bufio.NewWriter(w)
	var count [Error + 1]int
	for i := range findings {
		f := &findings[i]
		if f.Severity >= Note && f.Severity <= Error {
			count[f.Severity]++
		}
		fmt.Fprintf(bw, "%s: %s %s %s: %s %s, %s %s (%s): %s\n  fix: %s\n",
			location(f), f.Severity, f.Rule, f.RuleName, f.Object.Kind, objectName(f.Object),
			f.ContainerKind, f.Container, f.Image, f.Message, f.Fix)
	}
	fmt.Fprintf(bw, "%d %s: %d %s, %d %s, %d %s\n", len(findings), plural(len(findings), "finding"),
		count[Error], plural(count[Error], "error"), count[Warning], plural(count[Warning], "warning"),
		count[Note], plural(count[Note], "note"))
	return bw.Flush()
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
