package dialect

// rule is one behaviour of the decision engine; every spelling of every system maps to one.
type rule int

const (
	ruleInvalid rule = iota
	// ruleAlways asks the registry on every start and fails when it fails (Kubernetes Always).
	ruleAlways
	// ruleIfNotPresent uses a present image and pulls an absent one (Kubernetes IfNotPresent).
	ruleIfNotPresent
	// ruleNever uses a present image and fails for an absent one (Kubernetes Never).
	ruleNever
	// ruleNewer is Podman's newer: a present image is kept unless the registry names a digest
	// that none of its digests is; any registry failure keeps it too.
	ruleNewer
	// ruleRefresh is Compose's daily, weekly and every_<duration>: a present image is kept
	// until the window since its last pull or tag has passed.
	ruleRefresh
	// ruleAlwaysOrCached is ECS's default: Always, but a failed pull starts the cached image.
	ruleAlwaysOrCached
	// ruleOnce is ECS's once: Always until the node has pulled the image name once, then
	// local only.
	ruleOnce
	// ruleLatestOrPresent is Nomad without force_pull: Always for the tag latest (or none),
	// IfNotPresent otherwise — the Kubernetes API server's defaulting rule.
	ruleLatestOrPresent
	// ruleBuild is Compose's build: the image is built, never pulled.
	ruleBuild
)

// behaviour describes a rule for the cross-walk table: what happens when the image is
// present locally, when it is absent, and when the registry cannot be reached.
type behaviour struct{ present, absent, unavailable string }

// behaviours are the rules' words in the cross-walk table, by rule; never modified.
var behaviours = [...]behaviour{
	ruleAlways:          {"asks the registry: uses it if the digest is unchanged, else pulls", "pulls", "fails"},
	ruleIfNotPresent:    {"uses it", "pulls", "uses a present image; fails when absent"},
	ruleNever:           {"uses it", "fails", "never asked"},
	ruleNewer:           {"asks the registry: pulls only if its digest is none of the local image's digests", "pulls", "uses a present image (after any registry error); fails when absent"},
	ruleRefresh:         {"uses it until the window since its last pull or tag has passed, then asks the registry", "pulls", "uses a present image until the window has passed; then fails"},
	ruleAlwaysOrCached:  {"asks the registry: uses it if the digest is unchanged, else pulls", "pulls", "uses a present image (after any pull error); fails when absent"},
	ruleOnce:            {"uses it if this node pulled the name before, else asks the registry", "pulls; fails if pulled before", "uses it if pulled before; else fails"},
	ruleLatestOrPresent: {"tag latest or none: asks the registry; other tags: uses it", "pulls", "latest: fails; other tags: uses a present image"},
	ruleBuild:           {"builds it again, never pulls", "builds it, never pulls", "never asked"},
}

// describe returns the rule's behaviour in the words of the cross-walk table; the zero
// behaviour for ruleInvalid.
func (r rule) describe() behaviour {
	if r < 0 || int(r) >= len(behaviours) {
		return behaviour{}
	}
	return behaviours[r]
}
