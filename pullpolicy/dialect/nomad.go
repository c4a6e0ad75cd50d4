package dialect

import (
	"strings"

	"github.com/imagepull/imagepull/pullpolicy"
)

// nomadTable is the Nomad docker driver's force_pull (drivers/docker: createImage, with
// parseDockerImage's rule that no tag means latest). The value is an HCL bool, converted from
// a string as go-cty does.
var nomadTable = table{
	system:  Nomad,
	title:   "Nomad docker driver",
	setting: "`force_pull` of a docker task",
	cases:   `an HCL bool; from a string, as go-cty converts: "true" or "1", "false" or "0"`,
	entries: []entry{
		{name: "true", aliases: []string{"1"}, rule: ruleAlways, k8s: Mapping{pullpolicy.Always, Exact, ""}},
		{name: "false", aliases: []string{"0", ""}, rule: ruleLatestOrPresent,
			k8s:  Mapping{"", Exact, "leave imagePullPolicy unset: the API server then picks Always for latest and IfNotPresent otherwise, as Nomad does"},
			note: `the default ("" is an unset force_pull)`},
	},
	reverse: []reverse{
		{from: "Always", name: "true", match: Exact},
		{from: "IfNotPresent", name: "false", match: Approximate, note: "Nomad still pulls the tag latest (or no tag) on every start"},
		{from: "Never", match: NoEquivalent, note: "Nomad has no policy that refuses to pull"},
		{from: "", name: "false", match: Exact},
	},
}

// parseNomad converts value to force_pull's bool as go-cty converts a string, with its
// error texts. An empty value is an unset force_pull, false.
func parseNomad(value string) (Policy, error) {
	e, ok := nomadTable.lookup(value)
	if !ok {
		msg := "a bool is required"
		if l := strings.ToLower(value); l == "true" || l == "false" {
			msg += `; to convert from string, use lowercase "` + l + `"`
		}
		return Policy{}, &policyError{msg: msg}
	}
	return nomadTable.policy(e, e.name, value), nil
}
