package dialect

import (
	"math"
	"time"

	"github.com/imagepull/imagepull/pullpolicy"
)

// composeSchemaPattern is the compose-spec JSON schema's pattern for pull_policy, which
// compose-go checks when it loads a file, before GetPullPolicy interprets the value.
const composeSchemaPattern = `^(always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+)$`

// composeTable is Docker Compose's pull_policy: the compose-spec schema's pattern, compose-go's
// ServiceConfig.GetPullPolicy, and docker/compose's mustPull (up) and shouldPullImage (pull).
// Values are case-sensitive.
var composeTable = table{
	system:  Compose,
	title:   "Docker Compose",
	setting: "`pull_policy` of a service",
	cases:   "case-sensitive",
	entries: []entry{
		{name: "always", rule: ruleAlways, k8s: Mapping{pullpolicy.Always, Exact, ""}},
		{name: "missing", aliases: []string{"if_not_present", ""}, rule: ruleIfNotPresent,
			k8s: Mapping{pullpolicy.IfNotPresent, Exact, ""},
			note: `the default ("" is an unset pull_policy); compose-spec says a latest tag is always pulled, ` +
				"but docker/compose does that only in `compose pull`, not in `up`; `compose pull` also refreshes an unset policy"},
		{name: "never", rule: ruleNever, k8s: Mapping{pullpolicy.Never, Exact, ""}},
		{name: "build", rule: ruleBuild, k8s: Mapping{"", NoEquivalent, "Kubernetes does not build images"}},
		{name: "refresh", rule: ruleRefresh,
			k8s:  Mapping{pullpolicy.Always, Approximate, "docker/compose ignores pull_refresh_after: the window is zero, so up asks the registry on every start"},
			note: "pull_refresh_after is in the schema, but compose-go gives refresh a zero window"},
		{name: "daily", rule: ruleRefresh, refresh: 24 * time.Hour, k8s: composeNoRefresh, note: "a window of 24h"},
		{name: "weekly", rule: ruleRefresh, refresh: 7 * 24 * time.Hour, k8s: composeNoRefresh, note: "a window of 7 days"},
		{name: "every_<duration>", rule: ruleRefresh, k8s: composeNoRefresh, pattern: true,
			note: "units w, d, h, m, s with integer counts, combinable in any order (every_1w2d, every_90m); `compose pull` refreshes at once"},
	},
	reverse: []reverse{
		{from: "Always", name: "always", match: Exact},
		{from: "IfNotPresent", name: "missing", match: Exact},
		{from: "Never", name: "never", match: Exact},
		{from: "", match: NoEquivalent, note: "Compose has no default that depends on the tag"},
	},
}

// composeNoRefresh is the translation of the time-based refresh policies.
var composeNoRefresh = Mapping{"", NoEquivalent, "Kubernetes has no time-based refresh: Always asks the registry on every start, IfNotPresent never"}

// parseCompose accepts what the compose-spec schema accepts, interpreted as compose-go's
// loader (which rewrites if_not_present to missing) and GetPullPolicy do. An empty value is
// an unset pull_policy.
func parseCompose(value string) (Policy, error) {
	if e, ok := composeTable.lookup(value); ok {
		name := e.name // the loader normalises if_not_present to missing
		if value == "" {
			name = "" // unset: GetPullPolicy gives missing, but compose pull tells it apart
		}
		return composeTable.policy(e, name, value), nil
	}
	window, ok, err := composeEvery(value)
	if !ok {
		return Policy{}, &policyError{msg: "pull_policy '" + value + "' does not match pattern '" + composeSchemaPattern + "'"}
	}
	if err != nil {
		return Policy{}, err
	}
	p := composeTable.policy(entry{rule: ruleRefresh}, value, value)
	p.Refresh = window
	return p, nil
}

// composeEvery parses "every_" followed by one or more <count><unit> groups, units w d h m s,
// as the schema's pattern admits them (ok false otherwise). The window is their sum, computed
// as compose-go's str2duration does: a sum beyond about 292 years is its error
// `time: invalid duration "<duration>"`.
func composeEvery(value string) (window time.Duration, ok bool, err error) {
	const prefix = "every_"
	if len(value) <= len(prefix) || value[:len(prefix)] != prefix {
		return 0, false, nil
	}
	s := value[len(prefix):]
	overflow := &policyError{msg: `time: invalid duration "` + s + `"`}
	var total int64
	failed := false
	for i := 0; i < len(s); {
		start := i
		var n int64
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if n > (math.MaxInt64)/10 {
				failed = true
			}
			n = n*10 + int64(s[i]-'0')
			if n < 0 {
				failed = true
			}
		}
		if i == start || i == len(s) {
			return 0, false, nil // no count, or no unit
		}
		unit, known := composeUnit(s[i])
		if !known {
			return 0, false, nil
		}
		i++
		if failed || n > math.MaxInt64/unit {
			failed = true
			continue // keep checking the pattern: a mismatch is the schema's error, not this one
		}
		total += n * unit
		if total < 0 {
			failed = true
		}
	}
	if failed {
		return 0, true, overflow
	}
	return time.Duration(total), true, nil
}

// composeUnit returns the length of a unit of the schema's pattern, in nanoseconds.
func composeUnit(c byte) (int64, bool) {
	switch c {
	case 'w':
		return int64(7 * 24 * time.Hour), true
	case 'd':
		return int64(24 * time.Hour), true
	case 'h':
		return int64(time.Hour), true
	case 'm':
		return int64(time.Minute), true
	case 's':
		return int64(time.Second), true
	}
	return 0, false
}
