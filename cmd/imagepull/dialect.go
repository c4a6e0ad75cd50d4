package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/dialect"
	"github.com/imagepull/imagepull/reference"
)

// systemNames are the --dialect values.
func systemNames() []string {
	var out []string
	for _, s := range dialect.Systems() {
		out = append(out, s.String())
	}
	return out
}

// dialectJSON is what a decision in another system's dialect adds: the policy as that system
// reads it, what it tolerated, and the nearest Kubernetes policy.
type dialectJSON struct {
	System    string     `json:"system"`
	Policy    string     `json:"policy"` // as the system names it after parsing
	Input     string     `json:"input"`  // as given
	Note      string     `json:"note,omitempty"`
	Step      int        `json:"step,omitempty"`
	Tolerated string     `json:"tolerated,omitempty"`
	Build     bool       `json:"build,omitempty"`
	RefreshAt *time.Time `json:"refreshAt,omitempty"`
	// Kubernetes is the nearest imagePullPolicy ("" when none, or when the field is best
	// left unset), Match how near (exact, approximate, none) and MatchNote what differs.
	Kubernetes string `json:"kubernetes"`
	Match      string `json:"match"`
	MatchNote  string `json:"matchNote,omitempty"`
	// RegistryNotAsked: the decision would have asked the registry, but --registry was not
	// given, so the tag is pulled (as the kubelet leaves it to the runtime).
	RegistryNotAsked bool `json:"registryNotAsked,omitempty"`
}

// decideDialect is dialect.Decide for an image string, as decide is pullpolicy.Decide's.
func decideDialect(ctx context.Context, p dialect.Policy, image string, store pullpolicy.Store, resolver pullpolicy.Resolver) (dialect.Decision, *pullpolicy.Error, error) {
	img, perr := reference.Parse(image)
	if perr != nil {
		d, pe := invalidName(image, "", perr)
		return dialect.Decision{System: p.System, Dialect: p.Name, Note: p.Note, Decision: d}, pe, nil
	}
	d, err := dialect.Decide(ctx, p, img, store, resolver, nil)
	pe, err := failure(ctx, err)
	return d, pe, err
}

func newDialectDecisionJSON(image, node string, p dialect.Policy, d dialect.Decision, pe *pullpolicy.Error, registry bool) decisionJSON {
	out := newDecisionJSON(image, d.Policy, node, d.Decision, pe)
	out.Why, out.PolicySource = "", "dialect"
	x := &dialectJSON{System: string(p.System), Policy: p.Name, Input: p.Input, Note: p.Note, Step: d.Step, Build: d.Build}
	if d.Tolerated != nil {
		x.Tolerated = d.Tolerated.Error()
	}
	if !d.RefreshAt.IsZero() {
		t := d.RefreshAt.UTC()
		x.RefreshAt = &t
	}
	x.RegistryNotAsked = !registry && d.Policy == pullpolicy.Always && d.Action == pullpolicy.Pull && d.Digest == ""
	m, _ := dialect.ToKubernetes(p) // NoEquivalent is a Mapping too, with its note
	x.Kubernetes, x.Match, x.MatchNote = string(m.Kubernetes), m.Match.String(), m.Note
	out.Dialect = x
	return out
}

func (x *dialectJSON) writeText(w io.Writer) {
	fmt.Fprintf(w, "policy\t%s %s\n", x.System, x.Policy)
	if x.Note != "" {
		fmt.Fprintf(w, "note\t%s\n", x.Note)
	}
	switch {
	case x.Match == dialect.NoEquivalent.String():
		fmt.Fprintf(w, "kubernetes\tno equivalent: %s\n", x.MatchNote)
	case x.Kubernetes == "":
		fmt.Fprintf(w, "kubernetes\timagePullPolicy left unset (%s)\n", x.Match)
	case x.MatchNote != "":
		fmt.Fprintf(w, "kubernetes\t%s (%s: %s)\n", x.Kubernetes, x.Match, x.MatchNote)
	default:
		fmt.Fprintf(w, "kubernetes\t%s (%s)\n", x.Kubernetes, x.Match)
	}
	if x.RegistryNotAsked {
		fmt.Fprintln(w, "registry\tnot asked: without --registry a step that asks the registry pulls the tag")
	}
	if x.Tolerated != "" {
		fmt.Fprintf(w, "tolerated\t%s\n", x.Tolerated)
	}
	if x.Build {
		fmt.Fprintln(w, "build\tthe system builds the image and never pulls it")
	}
	if x.RefreshAt != nil {
		fmt.Fprintf(w, "refresh\tthe registry is asked again after %s\n", x.RefreshAt.Format(time.RFC3339))
	}
}
