package kubeletdiff

import (
	"fmt"
	"slices"
)

// Constructors for readable scenarios: they look values up in the tables and panic on a typo.

func index[T any](table []T, match func(T) bool, what string) byte {
	i := slices.IndexFunc(table, match)
	if i < 0 {
		panic(fmt.Sprintf("no %s in the table", what))
	}
	return byte(i)
}

func imgIdx(s string) byte { return index(imageTable, func(v string) bool { return v == s }, s) }
func refIdx(s string) byte { return index(refTable, func(v string) bool { return v == s }, s) }
func credsIdx(s string) byte {
	return index(credsTable, func(v namedCreds) bool { return v.name == s }, s)
}
func podIdx(s string) byte {
	return index(podCredsTable, func(v namedPodCreds) bool { return v.name == s }, s)
}
func policyIdx(s string) byte { return index(policyTable, func(v string) bool { return v == s }, s) }

func intent(img string) op { return op{kind: opIntent, a: imgIdx(img)} }
func failed(img string) op { return op{kind: opFailed, a: imgIdx(img)} }
func pulled(img, ref, c string) op {
	return op{kind: opPulled, a: imgIdx(img), b: refIdx(ref), c: credsIdx(c)}
}
func cycle(img, ref, c string) op {
	return op{kind: opCycle, a: imgIdx(img), b: refIdx(ref), c: credsIdx(c)}
}
func must(img, ref, pod string) op {
	return op{kind: opMust, a: imgIdx(img), b: refIdx(ref), c: podIdx(pod)}
}

// restart stops both sides (cleanly or as a crash), optionally swaps their directories, and
// starts them with policy, allowlistTable[allow] and the node images whose bits are in images.
func restart(clean, swap bool, policy string, allow int, images byte) op {
	a := policyIdx(policy) << 1
	if clean {
		a |= 1
	}
	if swap {
		a |= 8
	}
	return op{kind: opRestart, a: a, b: byte(allow), c: images}
}

// prune keeps the records of the refs whose bits are in keep (ref0 = 1, ref1 = 2, ref2 = 4);
// future prunes every other record, !future none.
func prune(keep byte, future bool) op {
	o := op{kind: opPrune, a: keep}
	if future {
		o.b = 1
	}
	return o
}

func seq(policy string, allow int, ops ...op) sequence {
	return sequence{policy: policyIdx(policy), allowlist: byte(allow), ops: ops}
}

const (
	allowNone        = 0
	allowBusyboxFull = 1
	allowBusyboxBare = 2
	allowLibNginx    = 3
	allowDockerLib   = 4
	allowPortReg     = 5
	allowTestImage   = 6
	allowTagged      = 7
	allowStar        = 8
	allowSpace       = 9
	allowMidStar     = 10
	allowLocalAndWC  = 11
	allImages        = 7
)

// scenarios are the seed corpus (testdata/fuzz/FuzzDifferential/<name>), each a story the
// issue lists. TestSeedCorpus keeps the files equal to them.
var scenarios = map[string]sequence{
	// Issue 17 item 1: the credentialMapping key is the pod's string without tag or digest
	// (image_pull_policies.go:182), so spellings of one repository are distinct entries.
	"key-spellings": seq("AlwaysVerify", allowNone,
		cycle("busybox:1.36", ref0, "secret1"),
		must("busybox:1.36", ref0, "secret1"),
		must("busybox", ref0, "secret1"),
		must("docker.io/library/busybox:1.36", ref0, "secret1"),
		must("library/busybox", ref0, "secret1"),
		cycle("docker.io/library/busybox:1.36", ref0, "secret3"),
		must("busybox:1.36", ref0, "secret3"),
		must("docker.io/library/busybox", ref0, "secret3")),
	"key-digests": seq("AlwaysVerify", allowNone,
		cycle("busybox@"+digest1, ref0, "sa1"),
		must("busybox:1.36@"+digest1, ref0, "sa1"),
		must("docker.io/library/busybox@"+digest1, ref0, "sa1"),
		must("busybox", ref0, "sa1"),
		cycle("localhost:5000/app@"+digest2, ref1, "secret2"),
		must("localhost:5000/app@"+digest2, ref1, "secret1"),
		cycle("registry.example.com:5000/team/app:v1", ref1, "node"),
		must("registry.example.com:5000/team/app", ref1, "none")),
	"key-untagged-latest": seq("NeverVerifyPreloadedImages", allowNone,
		cycle("docker.io/library/busybox", ref0, "secret1"),
		must("docker.io/library/busybox:latest", ref0, "secret1"),
		must("busybox", ref0, "secret1"),
		cycle("nginx", ref2, "secret3"),
		must("nginx", ref2, "secret3")),
	// Item 2: allowlist entries match the image without tag or digest (image_pull_policies.go:113).
	"allowlist-match-tagged": seq("NeverVerifyAllowlistedImages", allowTestImage,
		must("test.io/test/test-image:tag", ref0, "none"),
		must("test.io/test/test-image", ref0, "none"),
		cycle("test.io/test/test-image:tag", ref0, "secret1"),
		must("test.io/test/test-image:tag", ref0, "secret2")),
	"allowlist-wildcards": seq("NeverVerifyAllowlistedImages", allowDockerLib,
		must("busybox", ref0, "none"),
		must("docker.io/library/busybox:1.36", ref0, "none"),
		must("docker.io/library/busybox@"+digest1, ref0, "none"),
		restart(true, false, "NeverVerifyAllowlistedImages", allowPortReg, 0),
		must("registry.example.com:5000/team/app:v1", ref1, "none"),
		must("localhost:5000/app@"+digest2, ref1, "none"),
		restart(true, false, "NeverVerifyAllowlistedImages", allowLocalAndWC, 0),
		must("localhost:5000/app@"+digest2, ref1, "none"),
		must("test.io/test/test-image:tag", ref1, "none"),
		restart(true, false, "NeverVerifyAllowlistedImages", allowBusyboxFull, 0),
		must("docker.io/library/busybox:1.36", ref0, "none"),
		must("busybox:1.36", ref0, "none")),
	// Item 3: the kubelet accepts short names as allowlist entries (image_pull_policies.go:141).
	"allowlist-short-names": seq("NeverVerifyAllowlistedImages", allowBusyboxBare,
		must("busybox:1.36", ref0, "none"),
		must("docker.io/library/busybox:1.36", ref0, "none"),
		restart(true, false, "NeverVerifyAllowlistedImages", allowLibNginx, 0),
		must("library/busybox", ref0, "none"),
		must("nginx", ref2, "none")),
	"allowlist-invalid": seq("NeverVerifyAllowlistedImages", allowTagged,
		must("busybox:1.36", ref0, "none"),
		restart(true, false, "NeverVerifyAllowlistedImages", allowStar, 0),
		restart(true, false, "NeverVerifyAllowlistedImages", allowSpace, 0),
		restart(true, false, "NeverVerifyAllowlistedImages", allowMidStar, 0),
		must("busybox:1.36", ref0, "none"),
		restart(true, false, "AlwaysVerify", allowStar, 0), // the allowlist is read only under its policy
		must("busybox:1.36", ref0, "none")),
	// Item 4: the intent file goes when the record is written (image_pull_manager.go:103).
	"intent-removed-with-record": seq("AlwaysVerify", allowNone,
		intent("busybox:1.36"),
		pulled("busybox:1.36", ref0, "secret1"),
		cycle("busybox:1.36", ref0, "secret1"),
		cycle("busybox:1.36", ref0, "secret1"),
		must("busybox:1.36", ref0, "secret1")),
	"crash-after-pull": seq("NeverVerifyPreloadedImages", allowNone,
		cycle("busybox:1.36", ref0, "node"),
		cycle("nginx", ref2, "secret1"),
		restart(false, false, "NeverVerifyPreloadedImages", allowNone, allImages),
		must("busybox:1.36", ref0, "none"),
		must("nginx", ref2, "none"),
		must("nginx", ref1, "none")),
	"intents-in-flight": seq("NeverVerifyPreloadedImages", allowNone,
		intent("busybox:1.36"),
		intent("busybox:1.36"),
		must("busybox:1.36", ref0, "none"),
		failed("busybox:1.36"),
		must("busybox:1.36", ref0, "none"),
		failed("busybox:1.36"),
		must("busybox:1.36", ref0, "none"),
		failed("busybox:1.36"),
		intent("nginx"),
		pulled("nginx", ref2, "secret1"),
		must("nginx", ref2, "none")),
	"recovery-at-startup": seq("AlwaysVerify", allowNone,
		intent("docker.io/library/busybox@"+digest1),
		intent("busybox:1.36"),
		intent("localhost:5000/app@"+digest2),
		intent("nginx"),
		restart(false, false, "AlwaysVerify", allowNone, allImages),
		must("docker.io/library/busybox@"+digest1, ref0, "secret1"),
		must("busybox:1.36", ref2, "none"),
		must("nginx", ref2, "none"),
		restart(true, false, "NeverVerifyPreloadedImages", allowNone, 1),
		must("nginx", ref1, "none"),
		must("localhost:5000/app@"+digest2, ref1, "none")),
	"recovery-merges-into-record": seq("AlwaysVerify", allowNone,
		cycle("docker.io/library/busybox:1.36", ref0, "secret1"),
		intent("docker.io/library/busybox:1.36"),
		intent("docker.io/library/busybox:latest"),
		restart(false, false, "AlwaysVerify", allowNone, 1),
		must("docker.io/library/busybox:1.36", ref0, "secret1"),
		must("docker.io/library/busybox:latest", ref0, "secret1")),
	"secret-rotation-write-back": seq("AlwaysVerify", allowNone,
		cycle("busybox:1.36", ref0, "secret1"),
		must("busybox:1.36", ref0, "secret1-rotated"),
		must("busybox:1.36", ref0, "secret1"),
		must("busybox:1.36", ref0, "secret2"),
		must("busybox:1.36", ref0, "secret-new"),
		must("busybox:1.36", ref0, "secret3+secret1"),
		must("busybox:1.36", ref0, "secret3"),
		must("busybox:1.36", ref0, "lookup-error"),
		must("busybox:1.36", ref0, "none")),
	"service-accounts": seq("AlwaysVerify", allowNone,
		cycle("busybox:1.36", ref0, "sa1"),
		must("busybox:1.36", ref0, "sa1"),
		must("busybox:1.36", ref0, "sa2"),
		must("busybox:1.36", ref0, "secret2+sa1"),
		cycle("busybox:1.36", ref0, "sa2"),
		cycle("busybox:1.36", ref0, "secret1+sa1"),
		must("busybox:1.36", ref0, "sa2"),
		must("busybox:1.36", ref0, "secret1")),
	"node-accessible-and-unknown": seq("AlwaysVerify", allowNone,
		cycle("busybox:1.36", ref0, "nil"),
		must("busybox:1.36", ref0, "secret1"),
		cycle("busybox:1.36", ref0, "empty"),
		must("busybox:1.36", ref0, "secret1"),
		cycle("nginx", ref0, "empty"),
		must("nginx", ref0, "none"),
		cycle("busybox:1.36", ref0, "secret1"),
		cycle("busybox:1.36", ref0, "node"),
		cycle("busybox:1.36", ref0, "secret3"),
		must("busybox:1.36", ref0, "none")),
	"secret-merge-order": seq("AlwaysVerify", allowNone,
		cycle("busybox:1.36", ref0, "secret3+secret1"),
		cycle("busybox:1.36", ref0, "secret2"),
		cycle("busybox:1.36", ref0, "secret1-rotated"),
		cycle("busybox:1.36", ref0, "secret-no-hash"),
		must("busybox:1.36", ref0, "secret-no-hash"),
		must("busybox:1.36", ref0, "secret1")),
	"write-back-limit": seq("AlwaysVerify", allowNone,
		cycle("busybox:1.36", ref0, "99-secrets"),
		cycle("busybox:1.36", ref0, "secret1"),
		must("busybox:1.36", ref0, "secret2"),
		must("busybox:1.36", ref0, "secret1-rotated"),
		must("busybox:1.36", ref0, "secret1"),
		cycle("nginx", ref1, "99-secrets"),
		must("nginx", ref1, "secret-new"),
		cycle("nginx", ref1, "secret1"),
		must("nginx", ref1, "secret-new"),
		cycle("library/busybox", ref2, "100-secrets"),
		must("library/busybox", ref2, "secret1")),
	"policies": seq("NeverVerify", allowNone,
		cycle("busybox:1.36", ref0, "secret1"),
		must("busybox:1.36", ref0, "none"),
		must("nginx", ref2, "none"),
		restart(true, false, "NeverVerifyPreloadedImages", allowNone, 0),
		must("busybox:1.36", ref0, "none"),
		must("nginx", ref2, "none"),
		restart(true, false, "AlwaysVerify", allowNone, 0),
		must("busybox:1.36", ref0, "none"),
		must("nginx", ref2, "none"),
		restart(true, false, "NeverVerifyAllowlistedImages", allowBusyboxFull, 0),
		must("docker.io/library/busybox", ref0, "none"),
		must("nginx", ref2, "none")),
	"prune": seq("AlwaysVerify", allowNone,
		cycle("busybox:1.36", ref0, "secret1"),
		cycle("registry.example.com:5000/team/app:v1", ref1, "sa1"),
		cycle("nginx", ref2, "node"),
		prune(1, false),
		must("nginx", ref2, "none"),
		prune(1, true),
		must("nginx", ref2, "none"),
		must("busybox:1.36", ref0, "secret1"),
		prune(0, true),
		must("busybox:1.36", ref0, "secret1")),
	"invalid-and-empty-refs": seq("AlwaysVerify", allowNone,
		cycle("Busybox:1.36", ref0, "secret1"),
		must("Busybox:1.36", ref0, "secret1"),
		failed("Busybox:1.36"),
		cycle("busybox", "", "secret1"),
		must("busybox", "", "secret1"),
		must("busybox", ref1, "secret1")),
	"swap-directories": seq("AlwaysVerify", allowNone,
		cycle("docker.io/library/busybox:1.36", ref0, "secret1"),
		cycle("registry.example.com:5000/team/app:v1", ref1, "sa1"),
		intent("nginx"),
		restart(true, true, "AlwaysVerify", allowNone, allImages),
		must("docker.io/library/busybox:1.36", ref0, "secret1"),
		must("registry.example.com:5000/team/app:v1", ref1, "sa1"),
		must("nginx", ref2, "none"),
		restart(false, true, "NeverVerifyPreloadedImages", allowNone, 0),
		must("nginx", ref2, "none")),
}
