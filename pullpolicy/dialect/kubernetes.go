package dialect

import (
	"fmt"

	"github.com/imagepull/imagepull/pullpolicy"
)

// Match says how closely a [Mapping] carries a policy's behaviour over.
type Match int

const (
	// NoEquivalent: the other side has no policy that behaves alike.
	NoEquivalent Match = iota
	// Approximate: the nearest policy, which differs in a way [Mapping.Note] describes.
	Approximate
	// Exact: the same decisions in every case this package models.
	Exact
)

var matchNames = [...]string{NoEquivalent: "none", Approximate: "approximate", Exact: "exact"}

// String returns "none", "approximate" or "exact".
func (m Match) String() string {
	if m >= 0 && int(m) < len(matchNames) {
		return matchNames[m]
	}
	return fmt.Sprintf("Match(%d)", int(m))
}

// MarshalText returns [Match.String].
func (m Match) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Mapping is the translation of a policy between a system and Kubernetes.
type Mapping struct {
	// Kubernetes is the Kubernetes imagePullPolicy. It is "" when Match is NoEquivalent, and
	// also when the translation is to leave the field unset so that the API server defaults
	// it from the image (Nomad's force_pull = false).
	Kubernetes pullpolicy.Policy
	Match      Match
	// Note says what differs (Approximate) or why nothing fits (NoEquivalent).
	Note string
}

// ToKubernetes returns the Kubernetes policy nearest to p. When there is none, the Mapping
// says why and the error wraps [ErrNoEquivalent]. A GitLab list translates as its first
// entry; when it has more than one entry the match is at best Approximate, since Kubernetes
// has no fallback list.
func ToKubernetes(p Policy) (Mapping, error) {
	t := tableOf(p.System)
	if t == nil || !p.IsValid() {
		return Mapping{}, fmt.Errorf("dialect: %w: invalid policy %q", pullpolicy.ErrInvalidPolicy, p.String())
	}
	m := mappingOf(t, p)
	if len(p.steps) > 1 && m.Match == Exact {
		m.Match = Approximate
		m.Note = listNote(p)
	}
	if m.Match == NoEquivalent {
		return m, fmt.Errorf("%w in Kubernetes for %s: %s", ErrNoEquivalent, p, m.Note)
	}
	return m, nil
}

// mappingOf returns the translation of p's first step.
func mappingOf(t *table, p Policy) Mapping {
	first := p.steps[0]
	if e, ok := t.lookup(first.name); ok {
		return e.k8s
	}
	for _, e := range t.entries { // a pattern spelling (Compose every_<duration>)
		if e.pattern && e.rule == first.rule {
			return e.k8s
		}
	}
	return Mapping{Note: "unknown spelling"}
}

// listNote explains the translation of a GitLab list of more than one entry.
func listNote(p Policy) string {
	if p.steps[0].rule == ruleAlways && p.steps[1].rule == ruleIfNotPresent {
		return "Kubernetes fails when the registry is unavailable; GitLab Runner then uses the local image (if-not-present)"
	}
	return "Kubernetes has no fallback list: only the first entry carries over"
}

// FromKubernetes returns system's policy nearest to the Kubernetes policy k ("" for an unset
// imagePullPolicy, which the API server defaults from the image). When there is none, the
// Mapping says why and the error wraps [ErrNoEquivalent]; an unknown system or an invalid k
// gives an error wrapping [ErrUnknownSystem] or [pullpolicy.ErrInvalidPolicy].
func FromKubernetes(system System, k pullpolicy.Policy) (Policy, Mapping, error) {
	t := tableOf(system)
	if t == nil {
		return Policy{}, Mapping{}, unknownSystem(string(system))
	}
	if k != "" && !k.IsValid() {
		_, err := pullpolicy.ParsePolicy(string(k))
		return Policy{}, Mapping{}, err
	}
	for _, r := range t.reverse {
		if r.from != string(k) {
			continue
		}
		m := Mapping{Kubernetes: k, Match: r.match, Note: r.note}
		if r.match == NoEquivalent {
			return Policy{}, m, fmt.Errorf("%w in %s for Kubernetes %q: %s", ErrNoEquivalent, system, string(k), r.note)
		}
		p, err := Parse(system, r.name)
		return p, m, err
	}
	return Policy{}, Mapping{Kubernetes: k}, fmt.Errorf("%w in %s for Kubernetes %q", ErrNoEquivalent, system, string(k))
}
