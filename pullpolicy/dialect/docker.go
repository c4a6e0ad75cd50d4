package dialect

import (
	"fmt"

	"github.com/imagepull/imagepull/pullpolicy"
)

// dockerTable is the Docker CLI's --pull of docker run and create (cli/command/container:
// validatePullOpt, createContainer). Values are case-sensitive.
var dockerTable = table{
	system:  Docker,
	title:   "Docker CLI",
	setting: "`docker run --pull`, `docker create --pull`",
	cases:   "case-sensitive",
	entries: []entry{
		{name: "always", rule: ruleAlways, k8s: Mapping{pullpolicy.Always, Exact, ""}},
		{name: "missing", rule: ruleIfNotPresent, k8s: Mapping{pullpolicy.IfNotPresent, Exact, ""}, note: "the default"},
		{name: "never", rule: ruleNever, k8s: Mapping{pullpolicy.Never, Exact, ""}},
		{name: "", rule: ruleNever, k8s: Mapping{pullpolicy.Never, Exact, ""},
			note: `validatePullOpt accepts --pull="", but the CLI pulls only under "missing", so an absent image fails as under never`},
	},
	reverse: []reverse{
		{from: "Always", name: "always", match: Exact},
		{from: "IfNotPresent", name: "missing", match: Exact},
		{from: "Never", name: "never", match: Exact},
		{from: "", match: NoEquivalent, note: "the Docker CLI has no default that depends on the tag"},
	},
}

// dockerError is validatePullOpt's error text.
func dockerError(value string) string {
	return fmt.Sprintf("invalid pull option: '%s': must be one of %q, %q or %q", value, "always", "missing", "never")
}
