package dialect

import (
	"fmt"
	"strings"
	"time"
)

// Policy is a pull policy of one [System], parsed by [Parse]. The zero Policy is invalid
// ([Policy.IsValid] is false) and [Decide] rejects it. A Policy is a value whose list of steps
// is never modified: copies are safe to share between goroutines.
type Policy struct {
	// System is the system whose spelling this is.
	System System
	// Name is the policy as the system itself names it after parsing: Podman's canonical
	// name ("missing" for "IfNotPresent"), Compose's loaded value ("missing" for
	// "if_not_present"), ECS's effective behaviour ("default" for an unknown value), Nomad's
	// "true" or "false", GitLab's list joined with commas; the value as given otherwise.
	Name string
	// Input is the value given to Parse, unchanged.
	Input string
	// Refresh is the refresh window of a Compose time-based policy (daily: 24h); zero
	// otherwise.
	Refresh time.Duration
	// Note is set when the system does not use the value as given and says nothing about it:
	// ECS starts with "default" when ECS_IMAGE_PULL_BEHAVIOR holds anything else.
	Note string

	steps []step // one, or one per entry of a GitLab list
}

// step is one policy of an ordered list; single policies have exactly one.
type step struct {
	name string
	rule rule
}

// Parse parses value as system spells its pull policies, with that system's names, aliases,
// case rules and defaults, and rejects what the system rejects with the system's own error
// text (the error matches [pullpolicy.ErrInvalidPolicy]). For ECS, which never rejects a
// value, an unknown value gives "default" with [Policy.Note] set. An unknown system gives an
// error wrapping [ErrUnknownSystem].
//
// The spellings per system are in the package documentation and in [CrossWalk].
func Parse(system System, value string) (Policy, error) {
	switch system {
	case Podman:
		return parsePodman(value)
	case Docker:
		return parseExact(&dockerTable, value, dockerError)
	case Compose:
		return parseCompose(value)
	case Nerdctl:
		return parseExact(&nerdctlTable, value, nerdctlError)
	case ECS:
		return parseECS(value), nil
	case Nomad:
		return parseNomad(value)
	case GitLab:
		return parseGitLab(value)
	default:
		return Policy{}, unknownSystem(string(system))
	}
}

// MustParse is [Parse] for tests and hard-coded policies: it panics when Parse fails.
func MustParse(system System, value string) Policy {
	p, err := Parse(system, value)
	if err != nil {
		panic(err)
	}
	return p
}

// IsValid reports whether p came from a successful [Parse].
func (p Policy) IsValid() bool { return p.System != "" && len(p.steps) > 0 }

// Steps returns the policies of a GitLab list, in order; for other systems, the one policy
// (its Name). The slice is the caller's.
func (p Policy) Steps() []string {
	out := make([]string, len(p.steps))
	for i, s := range p.steps {
		out[i] = s.name
	}
	return out
}

// String returns "system:name", for example "podman:newer" or "gitlab:always,if-not-present";
// the zero Policy gives "".
func (p Policy) String() string {
	if !p.IsValid() {
		return ""
	}
	return string(p.System) + ":" + p.Name
}

// MarshalText returns [Policy.String].
func (p Policy) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText parses "system:value" with [Parse]; empty text gives the zero Policy.
func (p *Policy) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*p = Policy{}
		return nil
	}
	system, value, ok := strings.Cut(string(text), ":")
	if !ok {
		return fmt.Errorf("dialect: policy %q is not of the form system:value", text)
	}
	parsed, err := Parse(System(system), value)
	if err != nil {
		return err
	}
	*p = parsed
	return nil
}

// table is one system's spellings: what the parser accepts, what each does, and how it
// translates to Kubernetes. The cross-walk in the README is generated from these tables.
type table struct {
	system  System
	title   string // the system's name in prose
	setting string // where users write the value
	cases   string // the case rule, for the cross-walk
	entries []entry
	reverse []reverse // FromKubernetes, per Kubernetes policy
}

// entry is one spelling (with its aliases) of a table.
type entry struct {
	name    string
	aliases []string
	rule    rule
	refresh time.Duration // Compose daily, weekly
	k8s     Mapping
	note    string    // beyond the rule: what the system does with this spelling
	pattern bool      // a family of spellings (every_<duration>, lists): documented, not looked up
	custom  behaviour // the cross-walk's words for a pattern without a rule of its own
}

// reverse is the spelling of a table that a Kubernetes policy translates to.
type reverse struct {
	from  string // the Kubernetes policy, "" for unset
	name  string // "" when there is none
	match Match
	note  string
}

// lookup finds name among the entries' names and aliases.
func (t *table) lookup(name string) (entry, bool) {
	for _, e := range t.entries {
		if e.pattern {
			continue
		}
		if e.name == name {
			return e, true
		}
		for _, a := range e.aliases {
			if a == name {
				return e, true
			}
		}
	}
	return entry{}, false
}

// policy returns the single-step Policy of entry e, named name, parsed from input.
func (t *table) policy(e entry, name, input string) Policy {
	return Policy{System: t.system, Name: name, Input: input, Refresh: e.refresh, steps: []step{{name: name, rule: e.rule}}}
}

// parseExact parses value against t by exact, case-sensitive match; reject builds the
// system's error text.
func parseExact(t *table, value string, reject func(string) string) (Policy, error) {
	e, ok := t.lookup(value)
	if !ok {
		return Policy{}, &policyError{msg: reject(value)}
	}
	return t.policy(e, value, value), nil
}

// tables lists every system's table, in the order of [Systems]; it is never modified.
var tables = [...]*table{&podmanTable, &dockerTable, &composeTable, &nerdctlTable, &ecsTable, &nomadTable, &gitlabTable}

// tableOf returns the table of sys, or nil.
func tableOf(sys System) *table {
	for _, t := range tables {
		if t.system == sys {
			return t
		}
	}
	return nil
}
