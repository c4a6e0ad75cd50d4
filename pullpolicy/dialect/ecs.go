package dialect

import (
	"fmt"

	"github.com/imagepull/imagepull/pullpolicy"
)

// ecsTable is the Amazon ECS agent's ECS_IMAGE_PULL_BEHAVIOR (agent/config
// parseImagePullBehavior, agent/engine imagePullRequired, task_manager handleEventError).
// Values are case-sensitive; the agent never rejects one.
var ecsTable = table{
	system:  ECS,
	title:   "Amazon ECS agent",
	setting: "`ECS_IMAGE_PULL_BEHAVIOR`",
	cases:   "case-sensitive; any other value (or none) is default, silently",
	entries: []entry{
		{name: "default", rule: ruleAlwaysOrCached,
			k8s: Mapping{pullpolicy.Always, Approximate, "Kubernetes fails when the pull fails; the agent starts the cached image"}},
		{name: "always", rule: ruleAlways, k8s: Mapping{pullpolicy.Always, Exact, ""}},
		{name: "once", rule: ruleOnce, k8s: Mapping{"", NoEquivalent, "Kubernetes has no pull-at-most-once-per-node policy"},
			note: "remembers each image name this node pulled successfully; a failed first pull stops the task"},
		{name: "prefer-cached", rule: ruleIfNotPresent, k8s: Mapping{pullpolicy.IfNotPresent, Exact, ""},
			note: "also turns off the agent's automated image cleanup"},
	},
	reverse: []reverse{
		{from: "Always", name: "always", match: Exact},
		{from: "IfNotPresent", name: "prefer-cached", match: Exact},
		{from: "Never", match: NoEquivalent, note: "the ECS agent has no policy that refuses to pull"},
		{from: "", match: NoEquivalent, note: "the ECS agent has no default that depends on the tag"},
	},
}

// parseECS is the agent's parseImagePullBehavior: the four names exactly, anything else
// "default". It never fails; an unknown non-empty value is reported in Policy.Note.
func parseECS(value string) Policy {
	e, ok := ecsTable.lookup(value)
	if ok {
		return ecsTable.policy(e, value, value)
	}
	def, _ := ecsTable.lookup("default")
	p := ecsTable.policy(def, "default", value)
	if value != "" {
		p.Note = fmt.Sprintf("ECS_IMAGE_PULL_BEHAVIOR %q is not one of default, always, once, prefer-cached: the agent uses default without a warning", value)
	}
	return p
}
