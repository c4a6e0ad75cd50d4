package lint

// Rule is one check the linter runs. Its ID is stable across versions: configuration and
// suppressions name rules by it.
type Rule struct {
	// ID is the stable identifier: "IP001".
	ID string `json:"id"`
	// Name is a short kebab-case name: "policy-not-set". Configuration accepts it too.
	Name string `json:"name"`
	// Severity is the rule's default severity.
	Severity Severity `json:"severity"`
	// Why says in one sentence why the finding matters.
	Why string `json:"why"`
	// Fix says how to make the finding go away.
	Fix string `json:"fix"`
}

// The rule IDs.
const (
	PolicyNotSet           = "IP001"
	MutableTag             = "IP002"
	IfNotPresentMutableTag = "IP003"
	AlwaysDigest           = "IP004"
	PolicyNever            = "IP005"
	TagAndDigest           = "IP006"
	InvalidImage           = "IP007"
	PrivateNoSecrets       = "IP008"
	RequiredPolicy         = "IP009"
	InvalidPolicy          = "IP010"
	UnservedAPIVersion     = "IP011"
)

// Rules returns every rule, in ID order, with its default severity. The slice is the
// caller's.
func Rules() []Rule {
	return []Rule{
		{PolicyNotSet, "policy-not-set", Warning,
			"The API server fills an empty imagePullPolicy from the tag the object is created with (Always for latest or no tag, IfNotPresent otherwise) and never revisits it when the tag changes later.",
			"Set imagePullPolicy explicitly: IfNotPresent for a pinned version or digest, Always when every start must see the registry's current image."},
		{MutableTag, "mutable-tag", Warning,
			"A missing tag means latest; latest names whatever was pushed last, so two nodes, or two restarts, can run different builds.",
			"Pin a version tag (app:1.4.2) or, better, a digest (app@sha256:…)."},
		{IfNotPresentMutableTag, "ifnotpresent-mutable-tag", Error,
			"With IfNotPresent each node keeps the build of latest it pulled first: after a push, old and new nodes run different code under the same name, and nothing updates the old ones.",
			"Pin a version tag or a digest; if the tag must float, use imagePullPolicy: Always."},
		{AlwaysDigest, "always-digest", Note,
			"A digest names one immutable image, yet Always asks the registry on every container start: a round trip and a registry dependency gained for nothing but the registry's authorization check.",
			"Use IfNotPresent with digests; since Kubernetes 1.35 the kubelet still re-checks a pod's credentials for images it pulled (KEP-2535)."},
		{PolicyNever, "policy-never", Warning,
			"Never starts the container only if the image is already on the node: every node the pod can land on must be preloaded, or the pod fails with ErrImageNeverPull.",
			"Preload the image on every eligible node (and constrain scheduling to them), or use IfNotPresent."},
		{TagAndDigest, "tag-and-digest", Warning,
			"With both a tag and a digest the runtime pulls by digest and ignores the tag, while defaulting looks only at the tag: the tag documents something that is not enforced.",
			"Keep the digest and drop the tag (or keep it only in a comment)."},
		{InvalidImage, "invalid-image", Error,
			"The kubelet cannot parse the image name and the container never starts: it waits with InvalidImageName.",
			"Fix the image reference: lowercase repository, a valid tag, a full sha256 digest."},
		{PrivateNoSecrets, "private-registry-no-pull-secrets", Note,
			"The image comes from a registry that looks private, and the pod names no imagePullSecrets: the pull works only if the node or the service account brings credentials.",
			"Add imagePullSecrets, give the service account imagePullSecrets, or configure node credentials (a kubelet credential provider); ignore this note when one of those is in place."},
		{RequiredPolicy, "required-policy", Error,
			"The cluster's policy requires one pull policy for every image, as the AlwaysPullImages admission plugin enforces Always.",
			"Set imagePullPolicy to the required policy."},
		{InvalidPolicy, "invalid-policy", Error,
			"The API server rejects the object: imagePullPolicy must be Always, IfNotPresent or Never, spelled exactly.",
			"Use one of Always, IfNotPresent, Never."},
		{UnservedAPIVersion, "unserved-api-version", Error,
			"The targeted Kubernetes release does not serve the object's API version (extensions/v1beta1 and apps/v1beta1 workloads stopped in 1.16, batch/v1beta1 CronJobs in 1.25): kubectl fails with \"no matches for kind\" and the object is never created.",
			"Use apps/v1 for Deployments, DaemonSets, ReplicaSets and StatefulSets, and batch/v1 for Jobs and CronJobs (or set the targeted release with --kubernetes-version)."},
	}
}
