package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// Linter checks workloads against the rules. It is immutable after [New] and safe for
// concurrent use.
type Linter struct {
	rules   []Rule          // every rule, with its configured severity
	enabled map[string]bool // by ID
	require pullpolicy.Policy
	public  []string
	minor   int // the Kubernetes release checked against: 1.minor
}

// New returns a Linter for cfg. It fails, wrapping [ErrConfig], for an unknown rule ID or an
// invalid severity or policy.
func New(cfg Config) (*Linter, error) {
	l := &Linter{rules: Rules(), enabled: make(map[string]bool), require: cfg.RequirePolicy, public: cfg.PublicRegistries}
	if cfg.RequirePolicy != "" && !cfg.RequirePolicy.IsValid() {
		_, err := pullpolicy.ParsePolicy(string(cfg.RequirePolicy))
		return nil, fmt.Errorf("%w: RequirePolicy: %w", ErrConfig, err)
	}
	version := cmp.Or(cfg.KubernetesVersion, DefaultKubernetesVersion)
	minor, err := ParseKubernetesVersion(version)
	if err != nil {
		return nil, fmt.Errorf("%w: KubernetesVersion: %w", ErrConfig, err)
	}
	l.minor = minor
	for id, sev := range cfg.Severity {
		i := slices.IndexFunc(l.rules, func(r Rule) bool { return r.ID == id })
		if i < 0 {
			return nil, fmt.Errorf("%w: unknown rule %q: want an ID: %s", ErrConfig, id, ruleNames())
		}
		if sev < Note || sev > Error {
			return nil, fmt.Errorf("%w: rule %s: %w %d", ErrConfig, id, ErrInvalidSeverity, int(sev))
		}
		l.rules[i].Severity = sev
	}
	for _, r := range l.rules {
		l.enabled[r.ID] = r.ID != RequiredPolicy || cfg.RequirePolicy != ""
	}
	for _, id := range cfg.Disabled {
		if _, ok := l.enabled[id]; !ok {
			return nil, fmt.Errorf("%w: unknown rule %q: want an ID: %s", ErrConfig, id, ruleNames())
		}
		l.enabled[id] = false
	}
	return l, nil
}

// Rules returns the rules the Linter runs, with their configured severities.
func (l *Linter) Rules() []Rule {
	var out []Rule
	for _, r := range l.rules {
		if l.enabled[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// Manifest lints every workload of m, in order. Document errors (m.Errors) are not findings:
// the caller reports them.
func (l *Linter) Manifest(m *kube.Manifest) []Finding {
	var out []Finding
	for _, w := range m.Workloads {
		out = l.appendWorkload(out, w)
	}
	return out
}

// Workload lints w: its API version ([UnservedAPIVersion]), then every image, in
// [kube.Workload.Images] order, rules in ID order.
func (l *Linter) Workload(w *kube.Workload) []Finding { return l.appendWorkload(nil, w) }

func (l *Linter) appendWorkload(out []Finding, w *kube.Workload) []Finding {
	out = l.appendAPIVersion(out, w)
	hasSecrets := len(w.Template.Spec.ImagePullSecrets) > 0
	for _, img := range w.Images() {
		out = l.appendImage(out, w, &img, hasSecrets)
	}
	return out
}

// check is the image being linted, parsed once for all rules.
type check struct {
	img    *kube.Image
	ref    reference.Image
	err    error
	tagged bool // a tag was written
}

func (l *Linter) appendImage(out []Finding, w *kube.Workload, img *kube.Image, hasSecrets bool) []Finding {
	if img.Image == "" && w.Kind != "Pod" {
		return out // templates may leave the image to config management; nothing to check
	}
	c := check{img: img}
	c.ref, c.err = reference.Parse(img.Image)
	c.tagged = c.err == nil && hasTag(img.Image)
	add := func(id, msg string, onPolicy bool) {
		if !l.enabled[id] {
			return
		}
		out = append(out, l.finding(w, img, id, msg, onPolicy))
	}
	if img.Policy != "" && !img.Policy.IsValid() {
		_, err := pullpolicy.ParsePolicy(string(img.Policy))
		add(InvalidPolicy, "imagePullPolicy: "+err.Error(), true)
	}
	if img.Defaulted() {
		add(PolicyNotSet, "imagePullPolicy is not set: the API server defaults it to "+string(img.Effective)+" ("+c.defaultReason()+")", true)
	}
	if l.require != "" && img.Effective != l.require {
		add(RequiredPolicy, "imagePullPolicy is "+string(img.Effective)+c.defaultedNote()+", but "+string(l.require)+" is required", true)
	}
	if img.Effective == pullpolicy.Never {
		add(PolicyNever, "imagePullPolicy is Never: the image must already be on every node the pod can run on", true)
	}
	if c.err != nil {
		add(InvalidImage, "Failed to apply default image tag "+strconv.Quote(img.Image)+": "+c.err.Error(), false)
		return out
	}
	digested := c.ref.Digest() != ""
	if !digested {
		if c.mutable() {
			add(MutableTag, c.mutableText(), false)
		}
		if img.Effective == pullpolicy.IfNotPresent && c.mutable() {
			add(IfNotPresentMutableTag, "imagePullPolicy is IfNotPresent"+c.defaultedNote()+" with "+c.mutableShort()+": each node keeps the build it pulled first", true)
		}
	}
	if digested && img.Effective == pullpolicy.Always {
		add(AlwaysDigest, "imagePullPolicy is Always"+c.defaultedNote()+" on a digest-pinned image: the registry is asked on every start for nothing but authorization", true)
	}
	if digested && c.tagged {
		add(TagAndDigest, "the image has the tag "+strconv.Quote(c.ref.Tag())+" and a digest: the runtime pulls by digest and ignores the tag", false)
	}
	if !hasSecrets && !l.isPublic(c.ref.Domain()) {
		add(PrivateNoSecrets, c.ref.Domain()+" looks like a private registry, and the pod has no imagePullSecrets", false)
	}
	return out
}

// mutable reports whether the reference is latest or has no tag.
func (c *check) mutable() bool { return c.ref.Tag() == "latest" }

func (c *check) mutableText() string {
	if !c.tagged {
		return "the image has no tag, so it means :latest, which moves with every push"
	}
	return "the image uses the tag latest, which moves with every push"
}

func (c *check) mutableShort() string {
	if !c.tagged {
		return "no tag (latest)"
	}
	return "the tag latest"
}

// defaultReason says why the API server picks the default it picks.
func (c *check) defaultReason() string {
	switch {
	case c.err != nil:
		return "the image does not parse"
	case c.ref.Tag() == "latest" && c.tagged:
		return "the tag is latest"
	case c.ref.Tag() == "latest":
		return "no tag means latest"
	case c.tagged:
		return "tag " + c.ref.Tag()
	}
	return "digest without a tag"
}

// defaultedNote marks an effective policy the API server chose.
func (c *check) defaultedNote() string {
	if c.img.Defaulted() {
		return " (by default)"
	}
	return ""
}

func (l *Linter) isPublic(host string) bool {
	if publicRegistry(host) || strings.HasPrefix(host, "localhost:") || strings.HasPrefix(host, "127.") {
		return true
	}
	return slices.Contains(l.public, host)
}

// finding builds a finding of rule id about img; onPolicy puts its line on the policy field
// (or, when the policy is not set, on the nearest field there is), otherwise on the image.
func (l *Linter) finding(w *kube.Workload, img *kube.Image, id, msg string, onPolicy bool) Finding {
	r := l.rules[slices.IndexFunc(l.rules, func(r Rule) bool { return r.ID == id })]
	path := img.Path
	if onPolicy && !img.Defaulted() {
		path = img.PolicyPath
	}
	return Finding{
		Rule: r.ID, RuleName: r.Name, Severity: r.Severity, Message: msg, Fix: r.Fix,
		File: w.Source.File, Document: w.Source.Document, Item: w.Source.Item, Line: w.Line(path),
		Object:    Object{Kind: w.Kind, Namespace: w.Namespace, Name: w.Name},
		Container: img.Name, ContainerKind: img.Kind, Path: path, FieldPath: img.FieldPath,
		Image: img.Image, Policy: img.Policy, Effective: img.Effective,
		Suppression: suppression(w, &r, img.Name),
	}
}

// hasTag reports whether a valid image string names a tag: a ":" in its last path component,
// before any digest.
func hasTag(image string) bool {
	name, _, _ := strings.Cut(image, "@")
	return strings.Contains(name[strings.LastIndexByte(name, '/')+1:], ":")
}
