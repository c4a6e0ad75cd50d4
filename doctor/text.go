package doctor

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for people: one block per pod, one per image, the root cause
// and its fix first among the findings. It never writes a credential.
func (rep *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for i := range rep.Pods {
		if i > 0 {
			bw.WriteString("\n")
		}
		rep.Pods[i].writeText(bw)
	}
	if len(rep.Forbidden) > 0 {
		bw.WriteString("\nnot allowed (the diagnosis is partial):\n")
		for _, f := range rep.Forbidden {
			fmt.Fprintf(bw, "  %s\n", f)
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(bw, "note: %s\n", n)
	}
	return bw.Flush()
}

func (p *PodReport) writeText(w *bufio.Writer) {
	fmt.Fprintf(w, "pod %s/%s", p.Namespace, p.Name)
	var about []string
	if p.Node != "" {
		about = append(about, "node "+p.Node)
	} else {
		about = append(about, "not scheduled")
	}
	if p.ServiceAccount != "" {
		about = append(about, "service account "+p.ServiceAccount)
	}
	fmt.Fprintf(w, " (%s)\n", strings.Join(about, ", "))
	if len(p.Secrets) == 0 {
		w.WriteString("  pull Secrets: none\n")
	} else {
		w.WriteString("  pull Secrets:\n")
		for _, s := range p.Secrets {
			line := fmt.Sprintf("%s: %s", s.Name, s.Status)
			if s.From != "pod" {
				line += " (service account's)"
			}
			if len(s.Registries) > 0 {
				line += ", covers " + strings.Join(s.Registries, ", ")
			}
			if s.Detail != "" && s.Status != SecretNotInPod {
				line += "; " + s.Detail
			}
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	for i := range p.Images {
		p.Images[i].writeText(w)
	}
}

func (ir *ImageReport) writeText(w *bufio.Writer) {
	field := func(name, format string, args ...any) {
		fmt.Fprintf(w, "    %-12s%s\n", name, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(w, "  %s %s: %s\n", strings.ReplaceAll(ir.Kind, "-", " "), ir.Name, ir.Image)
	how := "as written"
	if ir.PolicyWritten == "" {
		how = "not set: the API server's default for this image"
	} else if ir.PolicyWritten != ir.Policy {
		how = "written " + ir.PolicyWritten
	}
	field("policy", "%s (%s): %s", ir.Policy, how, ir.PolicyEffect)
	on := ir.Presence.State
	switch {
	case ir.Presence.Name != "":
		on += " as " + ir.Presence.Name
	case ir.Presence.Why != "":
		on += ": " + ir.Presence.Why
	}
	field("on node", "%s", on)
	if len(ir.Credentials) == 0 {
		field("credentials", "none from the API: the pull is anonymous unless the node's docker config has some")
	}
	for i, c := range ir.Credentials {
		name := ""
		if i == 0 {
			name = "credentials"
		}
		field(name, "%d. %s", i+1, c.Source)
	}
	for i, a := range ir.Attempts {
		name := ""
		if i == 0 {
			name = "registry"
		}
		line := a.Credential + ": " + string(a.Result.Kind)
		if a.Result.Message != "" {
			line += ": " + a.Result.Message
		}
		if a.Result.Digest != "" {
			line += " " + a.Result.Digest
		}
		field(name, "%s", line)
	}
	field("cause", "%s: %s", ir.Finding.Cause, ir.Finding.Summary)
	if ir.Finding.Hint != "" {
		field("fix", "%s", ir.Finding.Hint)
	}
	for _, f := range ir.Also {
		field("also", "%s: %s", f.Cause, f.Summary)
		if f.Hint != "" {
			field("", "fix: %s", f.Hint)
		}
	}
	a := ir.Actual
	said := a.State
	if a.Reason != "" {
		said += " " + a.Reason
	}
	if a.Message != "" {
		said += ": " + a.Message
	}
	field("pod says", "%s", said)
	for _, e := range a.Events {
		count := ""
		if e.Count > 1 {
			count = fmt.Sprintf(" (x%d)", e.Count)
		}
		field("event", "%s %s%s: %s", e.Type, e.Reason, count, e.Message)
	}
	agrees := "no"
	if a.Agrees {
		agrees = "yes"
	}
	if a.Note != "" {
		agrees += ": " + a.Note
	}
	field("agrees", "%s", agrees)
}
