package kubeletdiff

import (
	"fmt"
	"strings"
)

// The values the operations pick from, by index (a fuzz byte modulo the table's length). They
// cover the list: image spellings of one repository (short, tagged, normalised,
// "library/", digests, tag and digest), a registry with a port, invalid names; credentials
// from Secrets (rotated, shared content, empty hash, up to the 100-Secret write-back limit),
// service accounts, node-accessible and unknown (nil); allowlists valid and invalid for the
// kubelet; and the runtime's images for the startup recovery.

var (
	digest1 = "sha256:" + strings.Repeat("b1", 32)
	digest2 = "sha256:" + strings.Repeat("c2", 32)
)

var imageTable = []string{
	"busybox",
	"busybox:1.36",
	"docker.io/library/busybox:1.36",
	"library/busybox",
	"busybox@" + digest1,
	"busybox:1.36@" + digest1,
	"docker.io/library/busybox@" + digest1,
	"docker.io/library/busybox",
	"docker.io/library/busybox:latest",
	"registry.example.com:5000/team/app:v1",
	"registry.example.com:5000/team/app",
	"localhost:5000/app@" + digest2,
	"test.io/test/test-image:tag",
	"test.io/test/test-image",
	"nginx",
	"Busybox:1.36", // not a reference: neither side can key a record by it
}

var (
	ref0 = "sha256:" + strings.Repeat("01", 32)
	ref1 = "sha256:" + strings.Repeat("02", 32)
	ref2 = "sha256:" + strings.Repeat("03", 32)
)

// refTable are image IDs; "" is an image not on the node.
var refTable = []string{ref0, ref1, ref2, ""}

// nodeImageTable is what the runtime lists at a restart (a bit mask picks a subset). Runtimes
// report normalised names; the third image also carries a short tag, as some do.
var nodeImageTable = []nodeImage{
	{id: ref0, tags: []string{"docker.io/library/busybox:1.36", "docker.io/library/busybox:latest"}, digests: []string{"docker.io/library/busybox@" + digest1}},
	{id: ref1, tags: []string{"registry.example.com:5000/team/app:v1"}, digests: []string{"localhost:5000/app@" + digest2}},
	{id: ref2, tags: []string{"test.io/test/test-image:tag", "busybox:1.36"}},
}

var (
	secret1        = secret{uid: "uid-1", ns: "ns-a", name: "pull-1", hash: "hash-1"}
	secret1Rotated = secret{uid: "uid-1", ns: "ns-a", name: "pull-1", hash: "hash-1b"}
	secret2        = secret{uid: "uid-2", ns: "ns-b", name: "pull-2", hash: "hash-1"} // secret1's content elsewhere
	secret3        = secret{uid: "uid-3", ns: "ns-a", name: "pull-3", hash: "hash-3"}
	secretNoHash   = secret{uid: "uid-4", ns: "ns-c", name: "pull-4"}
	secretNew      = secret{uid: "uid-9", ns: "ns-z", name: "pull-9", hash: "hash-1"} // secret1's content, sorts last
	sa1            = serviceAccount{uid: "sa-uid-1", ns: "ns-a", name: "builder"}
	sa2            = serviceAccount{uid: "sa-uid-2", ns: "ns-b", name: "deployer"}
)

// manySecrets returns n Secrets with distinct coordinates and contents.
func manySecrets(n int) []secret {
	out := make([]secret, n)
	for i := range out {
		out[i] = secret{uid: fmt.Sprintf("bulk-uid-%03d", i), ns: "ns-bulk", name: fmt.Sprintf("s-%03d", i), hash: fmt.Sprintf("bulk-hash-%03d", i)}
	}
	return out
}

type namedCreds struct {
	name string
	c    *creds
}

var credsTable = []namedCreds{
	{"nil", nil},
	{"empty", &creds{}},
	{"node", &creds{node: true}},
	{"secret1", &creds{secrets: []secret{secret1}}},
	{"secret1-rotated", &creds{secrets: []secret{secret1Rotated}}},
	{"secret2", &creds{secrets: []secret{secret2}}},
	{"secret3", &creds{secrets: []secret{secret3}}},
	{"secret-no-hash", &creds{secrets: []secret{secretNoHash}}},
	{"sa1", &creds{sas: []serviceAccount{sa1}}},
	{"sa2", &creds{sas: []serviceAccount{sa2}}},
	{"secret3+secret1", &creds{secrets: []secret{secret3, secret1}}},
	{"99-secrets", &creds{secrets: manySecrets(99)}},
	{"100-secrets", &creds{secrets: manySecrets(100)}},
	{"secret1+sa1", &creds{secrets: []secret{secret1}, sas: []serviceAccount{sa1}}},
}

type namedPodCreds struct {
	name string
	pc   podCreds
}

var podCredsTable = []namedPodCreds{
	{"none", podCreds{}},
	{"secret1", podCreds{secrets: []secret{secret1}}},
	{"secret1-rotated", podCreds{secrets: []secret{secret1Rotated}}},
	{"secret2", podCreds{secrets: []secret{secret2}}},
	{"secret3", podCreds{secrets: []secret{secret3}}},
	{"secret3+secret1", podCreds{secrets: []secret{secret3, secret1}}},
	{"sa1", podCreds{sa: &sa1}},
	{"sa2", podCreds{sa: &sa2}},
	{"secret2+sa1", podCreds{secrets: []secret{secret2}, sa: &sa1}},
	{"secret-no-hash", podCreds{secrets: []secret{secretNoHash}}},
	{"secret-new", podCreds{secrets: []secret{secretNew}}},
	{"lookup-error", podCreds{fail: true}},
}

var policyTable = []string{"NeverVerify", "NeverVerifyPreloadedImages", "NeverVerifyAllowlistedImages", "AlwaysVerify"}

var allowlistTable = [][]string{
	nil,
	{"docker.io/library/busybox"},
	{"busybox"},
	{"library/busybox", "nginx"},
	{"docker.io/library/*"},
	{"registry.example.com:5000/*"},
	{"test.io/test/test-image"},
	{"busybox:1.36"},        // a tag: refused by both
	{"*"},                   // refused by both
	{" busybox"},            // refused by both
	{"docker.io/*/busybox"}, // refused by both
	{"localhost:5000/app", "test.io/test/*"},
}
