package dialect

import (
	"fmt"
	"strings"

	"github.com/imagepull/imagepull/pullpolicy"
)

// podmanTable is containers/common's pkg/config PullPolicy: ParsePullPolicy lower-cases the
// value, so every spelling is case-insensitive.
var podmanTable = table{
	system:  Podman,
	title:   "Podman, Buildah",
	setting: "`--pull`, `pull_policy` in containers.conf",
	cases:   "case-insensitive",
	entries: []entry{
		{name: "always", rule: ruleAlways, k8s: Mapping{pullpolicy.Always, Exact, ""}},
		{name: "missing", aliases: []string{"ifmissing", "ifnotpresent", ""}, rule: ruleIfNotPresent,
			k8s: Mapping{pullpolicy.IfNotPresent, Exact, ""}, note: "the default of podman run and create"},
		{name: "newer", aliases: []string{"ifnewer"}, rule: ruleNewer,
			k8s:  Mapping{pullpolicy.Always, Approximate, "Kubernetes fails when the registry cannot be reached; newer starts the local image"},
			note: "compares the registry's digest with all the local image's digests"},
		{name: "never", rule: ruleNever, k8s: Mapping{pullpolicy.Never, Exact, ""}},
	},
	reverse: []reverse{
		{from: "Always", name: "always", match: Exact},
		{from: "IfNotPresent", name: "missing", match: Exact},
		{from: "Never", name: "never", match: Exact},
		{from: "", match: NoEquivalent, note: "Podman has no default that depends on the tag"},
	},
}

// parsePodman is containers/common's ParsePullPolicy: lower-cased, with its aliases, and
// its error text.
func parsePodman(value string) (Policy, error) {
	e, ok := podmanTable.lookup(strings.ToLower(value))
	if !ok {
		return Policy{}, &policyError{msg: fmt.Sprintf("unsupported pull policy %q", value)}
	}
	return podmanTable.policy(e, e.name, value), nil
}
