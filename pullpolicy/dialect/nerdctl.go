package dialect

import (
	"fmt"

	"github.com/imagepull/imagepull/pullpolicy"
)

// nerdctlTable is nerdctl's --pull of run and create, checked by imgutil.EnsureImage.
// Values are case-sensitive and there is no empty spelling.
var nerdctlTable = table{
	system:  Nerdctl,
	title:   "nerdctl",
	setting: "`nerdctl run --pull`, `nerdctl create --pull`",
	cases:   "case-sensitive",
	entries: []entry{
		{name: "always", rule: ruleAlways, k8s: Mapping{pullpolicy.Always, Exact, ""}},
		{name: "missing", rule: ruleIfNotPresent, k8s: Mapping{pullpolicy.IfNotPresent, Exact, ""},
			note: "the default; an image counts as present only when exactly one platform is requested and its config is local"},
		{name: "never", rule: ruleNever, k8s: Mapping{pullpolicy.Never, Exact, ""}},
	},
	reverse: []reverse{
		{from: "Always", name: "always", match: Exact},
		{from: "IfNotPresent", name: "missing", match: Exact},
		{from: "Never", name: "never", match: Exact},
		{from: "", match: NoEquivalent, note: "nerdctl has no default that depends on the tag"},
	},
}

// nerdctlError is imgutil.EnsureImage's error text.
func nerdctlError(value string) string { return fmt.Sprintf("unexpected pull mode: %q", value) }
