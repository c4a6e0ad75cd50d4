package pullmanagercases

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

// FileName is the kubelet's cacheFilename (fs_pullrecords.go:272): "sha256-" and the hex
// SHA-256 of an image string (an intent) or an imageRef (a record). The runners over memory
// map their state through it to compare with upstream's expected file names.
func FileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "sha256-" + hex.EncodeToString(sum[:])
}

// The pod credentials of the MustAttemptImagePull table.
var (
	podSecret = []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "default", Name: "pull-secret", CredentialHash: "testsecrethash"}}
	podSA     = &pullmanager.ImagePullServiceAccount{UID: "test-sa-uid", Namespace: "default", Name: "test-sa"}
)

// Upstream's file names, spelled once.
const (
	pulledTestImageRef    = "sha256-b3c0cc4278800b03a308ceb2611161430df571ca733122f0a40ac8b9792a9064" // testimageref
	pulledEmptyMapping    = "sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991" // testemptycredmapping
	pulledAnonPull        = "sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a" // testimage-anonpull
	pulledBrokenHash      = "sha256-38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd" // test-brokenhash
	pulledTestImageRefSA  = "sha256-917e8b3439bf8a7a6f37ffd2d2ddfdfafac8a251bf214a0be39675742b420b1a" // testimageref-sa
	pullingTestLatest     = "sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56" // docker.io/testing/test:latest
	pullingRepoTestV1     = "sha256-ee81caca15454863449fb55a1d942904d56d5ed9f9b20a7cb3453944ea2c7e11" // repo.repo/test/test:v1
	pullingTestSomething  = "sha256-f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af" // docker.io/testing/test:something
	pulledTestImageRef1   = "sha256-d77ed7480bc819274ea7a4dba5b2699b2d3f73c6e578762df42e5a8224771096" // testimageref1
	pullingFamiliarLast   = "sha256-7ffc99ef20589dc844b202c4cba501d1aaf06d1481935aa1e160029afd639847" // testing@sha256:f24a…
	pullingFamiliarOrg    = "sha256-5f3ca9e4d82e32203c2fafb410dfae9c8047bc6ebe57d642fe264d479e152955" // secretorg/myimage:customtag
	pulledFamiliarLast    = "sha256-f2ba1256df29972c4fe11d8af7d302e37631c6077a2ed29d8bee55ee77cf26ad" // testimageref-familiarlast
	pulledFamiliarOrg     = "sha256-ff66306c3a398c6e6b64d8f7acdd1aebc37fce76add3849f9d3f59274434234a" // testimageref-familiarwithorg
	pulledSATestImageRef  = "sha256-7ff6218f8ead494f56af9cb95c4b855fb62609d01342fe961553ac2ed520fcfb" // sa-testimageref
	pullingSATestApp      = "sha256-0b79dd5fccc09268cfa5ca054c82bce049461690e016778175fd92f79e7314dd" // docker.io/sa-test/app:v1
	pullingRepoTestLatest = "sha256-7d8c031e2f1aeaa71649ca3e0b64c9902370ed460ef57fb07582a87a5a1e1c02" // repo.repo/test/test:latest
)

// MustAttemptCase is a case of TestFileBasedImagePullManager_MustAttemptImagePull
// (image_pull_manager_test.go:427).
type MustAttemptCase struct {
	Name                  string
	Policy                pullmanager.VerificationPolicy
	PodSecrets            []pullmanager.ImagePullSecret
	PodServiceAccount     *pullmanager.ImagePullServiceAccount
	Image, ImageRef       string
	PulledFiles           []string
	PullingFiles          []string
	ExpectedPullRecord    *pullmanager.PulledRecord // LastUpdatedTime not compared
	Want                  bool
	WantPodCredsRequested bool
	ExpectedCacheWrite    bool
}

// MustAttemptCases is the table at image_pull_manager_test.go:442-750, 25 cases.
func MustAttemptCases() []MustAttemptCase {
	const (
		preloaded = pullmanager.NeverVerifyPreloadedImages
		image     = "docker.io/testing/test:latest"
	)
	return []MustAttemptCase{
		{Name: "image exists and is recorded with pod's exact secret", Policy: preloaded, PodSecrets: podSecret,
			Image: image, ImageRef: "testimageref", PulledFiles: []string{pulledTestImageRef}, Want: false, WantPodCredsRequested: true},
		{Name: "image exists and is recorded, no pod secrets", Policy: preloaded,
			Image: image, ImageRef: "testimageref", PulledFiles: []string{pulledTestImageRef}, Want: true, WantPodCredsRequested: true},
		{Name: "image exists and is recorded with the same secret but different credential hash", Policy: preloaded,
			PodSecrets: []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "default", Name: "pull-secret", CredentialHash: "differenthash"}},
			Image:      image, ImageRef: "testimageref", PulledFiles: []string{pulledTestImageRef},
			ExpectedPullRecord: &pullmanager.PulledRecord{ImageRef: "testimageref", CredentialMapping: map[string]pullmanager.ImagePullCredentials{
				"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "default", Name: "pull-secret", CredentialHash: "differenthash"}}}}},
			Want: false, WantPodCredsRequested: true, ExpectedCacheWrite: true},
		{Name: "image exists and is recorded with a different secret with a different UID", Policy: preloaded,
			PodSecrets: []pullmanager.ImagePullSecret{{UID: "different uid", Namespace: "default", Name: "pull-secret", CredentialHash: "differenthash"}},
			Image:      image, ImageRef: "testimageref", PulledFiles: []string{pulledTestImageRef}, Want: true, WantPodCredsRequested: true},
		{Name: "image exists and is recorded with a different secret", Policy: preloaded,
			PodSecrets: []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "differentns", Name: "pull-secret", CredentialHash: "differenthash"}},
			Image:      image, ImageRef: "testimageref", PulledFiles: []string{pulledTestImageRef}, Want: true, WantPodCredsRequested: true},
		{Name: "image exists and is recorded with a different secret with the same credential hash", Policy: preloaded,
			PodSecrets: []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "differentns", Name: "pull-secret", CredentialHash: "testsecrethash"}},
			Image:      image, ImageRef: "testimageref", PulledFiles: []string{pulledTestImageRef},
			ExpectedPullRecord: &pullmanager.PulledRecord{ImageRef: "testimageref", CredentialMapping: map[string]pullmanager.ImagePullCredentials{
				"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{
					{UID: "testsecretuid", Namespace: "default", Name: "pull-secret", CredentialHash: "testsecrethash"},
					{UID: "testsecretuid", Namespace: "differentns", Name: "pull-secret", CredentialHash: "testsecrethash"},
				}}}},
			Want: false, WantPodCredsRequested: true, ExpectedCacheWrite: true},
		{Name: "image exists but the pull is recorded with a different image name but with the exact same secret", Policy: preloaded, PodSecrets: podSecret,
			Image: "docker.io/testing/different:latest", ImageRef: "testimageref", PulledFiles: []string{pulledTestImageRef}, Want: true, WantPodCredsRequested: false},
		{Name: "image exists and is recorded with empty credential mapping", Policy: preloaded,
			Image: image, ImageRef: "testemptycredmapping", PulledFiles: []string{pulledEmptyMapping}, Want: true, WantPodCredsRequested: false},
		{Name: "image does not exist and there are no records of it", Policy: preloaded,
			Image: image, ImageRef: "", Want: true, WantPodCredsRequested: false},
		{Name: "image exists and there are no records of it with NeverVerifyPreloadedImages pull policy", Policy: preloaded,
			Image: image, ImageRef: "testexistingref", Want: false, WantPodCredsRequested: false},
		{Name: "image exists and there are no records of it with AlwaysVerify pull policy", Policy: pullmanager.AlwaysVerify,
			Image: image, ImageRef: "testexistingref", Want: true, WantPodCredsRequested: false},
		{Name: "image exists but is only recorded via pulling intent", Policy: preloaded, PodSecrets: podSecret,
			Image: image, ImageRef: "testexistingref", PullingFiles: []string{pullingTestLatest}, Want: true, WantPodCredsRequested: false},
		{Name: "image exists but is only recorded via pulling intent - NeverVerify policy", Policy: pullmanager.NeverVerify, PodSecrets: podSecret,
			Image: image, ImageRef: "testexistingref", PullingFiles: []string{pullingTestLatest}, Want: false, WantPodCredsRequested: false},
		{Name: "image exists and is recorded as node-accessible, no pod secrets", Policy: preloaded,
			Image: image, ImageRef: "testimage-anonpull", PulledFiles: []string{pulledAnonPull}, Want: false, WantPodCredsRequested: false},
		{Name: "image exists and is recorded as node-accessible, request with pod secrets", Policy: preloaded, PodSecrets: podSecret,
			Image: image, ImageRef: "testimage-anonpull", PulledFiles: []string{pulledAnonPull}, Want: false, WantPodCredsRequested: false},
		{Name: "image exists and is recorded with empty hash as its hashing originally failed, the same fail for a different pod secret", Policy: preloaded,
			PodSecrets: []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "differentns", Name: "pull-secret", CredentialHash: ""}},
			Image:      image, ImageRef: "test-brokenhash", PulledFiles: []string{pulledBrokenHash}, Want: true, WantPodCredsRequested: true},
		{Name: "image exists and is recorded with empty hash as its hashing originally failed, the same fail for the same pod secret", Policy: preloaded,
			PodSecrets: []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "default", Name: "pull-secret", CredentialHash: ""}},
			Image:      image, ImageRef: "test-brokenhash", PulledFiles: []string{pulledBrokenHash}, Want: false, WantPodCredsRequested: true},
		{Name: "image exists and is recorded with pod's exact service account", Policy: preloaded, PodServiceAccount: podSA,
			Image: image, ImageRef: "testimageref-sa", PulledFiles: []string{pulledTestImageRefSA}, Want: false, WantPodCredsRequested: true},
		{Name: "image exists and is recorded, no pod service accounts", Policy: preloaded,
			Image: image, ImageRef: "testimageref", PulledFiles: []string{pulledTestImageRef}, Want: true, WantPodCredsRequested: true},
		{Name: "image exists and is recorded with a different service account with different UID", Policy: preloaded,
			PodServiceAccount: &pullmanager.ImagePullServiceAccount{UID: "different-sa-uid", Namespace: "default", Name: "test-sa"},
			Image:             image, ImageRef: "testimageref-sa", PulledFiles: []string{pulledTestImageRefSA}, Want: true, WantPodCredsRequested: true},
		{Name: "image exists and is recorded with a different service account with different namespace", Policy: preloaded,
			PodServiceAccount: &pullmanager.ImagePullServiceAccount{UID: "test-sa-uid", Namespace: "different-ns", Name: "test-sa"},
			Image:             image, ImageRef: "testimageref-sa", PulledFiles: []string{pulledTestImageRefSA}, Want: true, WantPodCredsRequested: true},
		{Name: "image exists but the pull is recorded with a different image name but with the exact same service account", Policy: preloaded, PodServiceAccount: podSA,
			Image: "docker.io/testing/different:latest", ImageRef: "testimageref-sa", PulledFiles: []string{pulledTestImageRefSA}, Want: true, WantPodCredsRequested: false},
		{Name: "image exists but is only recorded via pulling intent with service account", Policy: preloaded, PodServiceAccount: podSA,
			Image: image, ImageRef: "testexistingref", PullingFiles: []string{pullingTestLatest}, Want: true, WantPodCredsRequested: false},
		{Name: "image exists but is only recorded via pulling intent with service account - NeverVerify policy", Policy: pullmanager.NeverVerify, PodServiceAccount: podSA,
			Image: image, ImageRef: "testexistingref", PullingFiles: []string{pullingTestLatest}, Want: false, WantPodCredsRequested: false},
		{Name: "image exists and is recorded as node-accessible, request with pod service accounts", Policy: preloaded, PodServiceAccount: podSA,
			Image: image, ImageRef: "testimage-anonpull", PulledFiles: []string{pulledAnonPull}, Want: false, WantPodCredsRequested: false},
	}
}

// RecordPullIntentCase is a case of TestFileBasedImagePullManager_RecordPullIntent
// (image_pull_manager_test.go:827).
type RecordPullIntentCase struct {
	Name         string
	InputImage   string
	WantFile     string
	StartCounter int32
	WantCounter  int32
}

// RecordPullIntentCases is the table at image_pull_manager_test.go:835-849, 2 cases (both
// named "first pull" upstream).
func RecordPullIntentCases() []RecordPullIntentCase {
	return []RecordPullIntentCase{
		{Name: "first pull", InputImage: "repo.repo/test/test:latest", WantFile: pullingRepoTestLatest, WantCounter: 1},
		{Name: "first pull", InputImage: "repo.repo/test/test:latest", WantFile: pullingRepoTestLatest, StartCounter: 1, WantCounter: 2},
	}
}

// RecordImagePulledCase is a case of TestFileBasedImagePullManager_RecordImagePulled
// (image_pull_manager_test.go:901).
type RecordImagePulledCase struct {
	Name                 string
	Image, ImageRef      string
	Creds                *pullmanager.ImagePullCredentials
	PullsInFlight        int32
	ExistingPulling      []string
	ExistingPulled       []string
	ExpectPullingRemoved string
	ExpectPulled         []string
	CheckedPullFile      string
	ExpectedPullRecord   pullmanager.PulledRecord // LastUpdatedTime compared apart, through ExpectUpdated
	ExpectUpdated        bool
}

// RecordImagePulledCases is the table at image_pull_manager_test.go:916-1201, 11 cases.
func RecordImagePulledCases() []RecordImagePulledCase {
	nodeWide := func() *pullmanager.ImagePullCredentials {
		return &pullmanager.ImagePullCredentials{NodePodsAccessible: true}
	}
	sa := func(uid, ns, name string) *pullmanager.ImagePullCredentials {
		return &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{{UID: uid, Namespace: ns, Name: name}}}
	}
	type m = map[string]pullmanager.ImagePullCredentials
	type secrets = []pullmanager.ImagePullSecret
	type sas = []pullmanager.ImagePullServiceAccount
	testSecret := pullmanager.ImagePullSecret{UID: "testsecretuid", Namespace: "default", Name: "pull-secret", CredentialHash: "testsecrethash"}
	return []RecordImagePulledCase{
		{Name: "new pull record", Image: "repo.repo/test/test:v1", ImageRef: "testimageref", Creds: nodeWide(),
			ExpectPulled: []string{pulledTestImageRef}, ExistingPulling: []string{pullingRepoTestV1}, PullsInFlight: 1,
			ExpectPullingRemoved: pullingRepoTestV1, CheckedPullFile: pulledTestImageRef, ExpectUpdated: true,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "testimageref", CredentialMapping: m{"repo.repo/test/test": {NodePodsAccessible: true}}}},
		{Name: "new pull record, more pulls in-flight", Image: "repo.repo/test/test:v1", ImageRef: "testimageref", Creds: nodeWide(),
			ExpectPulled: []string{pulledTestImageRef}, ExistingPulling: []string{pullingRepoTestV1}, PullsInFlight: 2,
			CheckedPullFile: pulledTestImageRef, ExpectUpdated: true,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "testimageref", CredentialMapping: m{"repo.repo/test/test": {NodePodsAccessible: true}}}},
		{Name: "merge into existing record", Image: "repo.repo/test/test:v1", ImageRef: "testimageref", Creds: nodeWide(),
			ExistingPulled:  []string{pulledTestImageRef, pulledAnonPull, pulledEmptyMapping},
			ExpectPulled:    []string{pulledTestImageRef, pulledAnonPull, pulledEmptyMapping},
			ExistingPulling: []string{pullingRepoTestV1}, PullsInFlight: 1, ExpectPullingRemoved: pullingRepoTestV1,
			CheckedPullFile: pulledTestImageRef, ExpectUpdated: true,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "testimageref", CredentialMapping: m{
				"repo.repo/test/test":    {NodePodsAccessible: true},
				"docker.io/testing/test": {KubernetesSecrets: secrets{testSecret}},
			}}},
		{Name: "merge into existing record - existing key in creds mapping", Image: "docker.io/testing/test:something", ImageRef: "testimageref",
			Creds:          &pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{{UID: "newuid", Namespace: "newns", Name: "newname", CredentialHash: "somehash"}}},
			ExistingPulled: []string{pulledTestImageRef}, PullsInFlight: 1, ExpectPulled: []string{pulledTestImageRef},
			ExistingPulling: []string{pullingTestSomething}, ExpectPullingRemoved: pullingTestSomething,
			CheckedPullFile: pulledTestImageRef, ExpectUpdated: true,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "testimageref", CredentialMapping: m{
				"docker.io/testing/test": {KubernetesSecrets: secrets{testSecret, {UID: "newuid", Namespace: "newns", Name: "newname", CredentialHash: "somehash"}}},
			}}},
		{Name: "existing record stays unchanged", Image: "docker.io/testing/test:something", ImageRef: "testimageref",
			Creds:          &pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{testSecret}},
			ExistingPulled: []string{pulledTestImageRef}, ExpectPulled: []string{pulledTestImageRef},
			ExistingPulling: []string{pullingTestSomething}, PullsInFlight: 1, ExpectPullingRemoved: pullingTestSomething,
			CheckedPullFile: pulledTestImageRef, ExpectUpdated: false,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "testimageref", CredentialMapping: m{
				"docker.io/testing/test": {KubernetesSecrets: secrets{testSecret}},
			}}},
		{Name: "new pull record with service account credentials", Image: "docker.io/sa-test/app:v1", ImageRef: "sa-testimageref",
			Creds:        sa("sa-uid-123", "default", "test-sa"),
			ExpectPulled: []string{pulledSATestImageRef}, PullsInFlight: 1, ExpectPullingRemoved: pullingSATestApp,
			CheckedPullFile: pulledSATestImageRef, ExpectUpdated: true,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "sa-testimageref", CredentialMapping: m{
				"docker.io/sa-test/app": {KubernetesServiceAccounts: sas{{UID: "sa-uid-123", Namespace: "default", Name: "test-sa"}}},
			}}},
		{Name: "merge service account into existing record with secrets", Image: "docker.io/testing/test:something", ImageRef: "testimageref",
			Creds:          sa("sa-uid-456", "kube-system", "system-sa"),
			ExistingPulled: []string{pulledTestImageRef}, ExpectPulled: []string{pulledTestImageRef},
			ExistingPulling: []string{pullingTestSomething}, PullsInFlight: 1, ExpectPullingRemoved: pullingTestSomething,
			CheckedPullFile: pulledTestImageRef, ExpectUpdated: true,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "testimageref", CredentialMapping: m{
				"docker.io/testing/test": {KubernetesSecrets: secrets{testSecret},
					KubernetesServiceAccounts: sas{{UID: "sa-uid-456", Namespace: "kube-system", Name: "system-sa"}}},
			}}},
		{Name: "merge additional service account into existing record with service accounts", Image: "docker.io/testing/test:something", ImageRef: "testimageref-sa",
			Creds:          sa("sa-uid-789", "app-ns", "app-sa"),
			ExistingPulled: []string{pulledTestImageRefSA}, ExpectPulled: []string{pulledTestImageRefSA},
			ExistingPulling: []string{pullingTestSomething}, PullsInFlight: 1, ExpectPullingRemoved: pullingTestSomething,
			CheckedPullFile: pulledTestImageRefSA, ExpectUpdated: true,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "testimageref-sa", CredentialMapping: m{
				"docker.io/testing/test": {KubernetesServiceAccounts: sas{
					{UID: "sa-uid-789", Namespace: "app-ns", Name: "app-sa"},
					{UID: "test-sa-uid", Namespace: "default", Name: "test-sa"},
				}},
			}}},
		{Name: "duplicate service account should not create duplicates", Image: "docker.io/testing/test:something", ImageRef: "testimageref-sa",
			Creds:          sa("test-sa-uid", "default", "test-sa"),
			ExistingPulled: []string{pulledTestImageRefSA}, ExpectPulled: []string{pulledTestImageRefSA},
			ExistingPulling: []string{pullingTestSomething}, PullsInFlight: 1, ExpectPullingRemoved: pullingTestSomething,
			CheckedPullFile: pulledTestImageRefSA, ExpectUpdated: false,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "testimageref-sa", CredentialMapping: m{
				"docker.io/testing/test": {KubernetesServiceAccounts: sas{{UID: "test-sa-uid", Namespace: "default", Name: "test-sa"}}},
			}}},
		{Name: "record with familiar image name - only the last segment", Image: "testing@sha256:f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af",
			ImageRef: "testimageref-familiarlast", Creds: sa("test-sa-uid", "default", "test-sa"),
			ExistingPulling: []string{pullingFamiliarLast}, ExpectPulled: []string{pulledFamiliarLast}, PullsInFlight: 1,
			ExpectPullingRemoved: pullingFamiliarLast, CheckedPullFile: pulledFamiliarLast, ExpectUpdated: true,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "testimageref-familiarlast", CredentialMapping: m{
				"testing": {KubernetesServiceAccounts: sas{{UID: "test-sa-uid", Namespace: "default", Name: "test-sa"}}},
			}}},
		{Name: "record with familiar image name - org and name", Image: "secretorg/myimage:customtag",
			ImageRef: "testimageref-familiarwithorg", Creds: sa("test-sa-uid", "default", "test-sa"),
			ExistingPulling: []string{pullingFamiliarOrg}, ExpectPulled: []string{pulledFamiliarOrg}, PullsInFlight: 1,
			ExpectPullingRemoved: pullingFamiliarOrg, CheckedPullFile: pulledFamiliarOrg, ExpectUpdated: true,
			ExpectedPullRecord: pullmanager.PulledRecord{ImageRef: "testimageref-familiarwithorg", CredentialMapping: m{
				"secretorg/myimage": {KubernetesServiceAccounts: sas{{UID: "test-sa-uid", Namespace: "default", Name: "test-sa"}}},
			}}},
	}
}

// InitializeImages is the fake runtime's image list of TestFileBasedImagePullManager_initialize
// (image_pull_manager_test.go:1270-1295).
func InitializeImages() []pullpolicy.LocalImage {
	return []pullpolicy.LocalImage{
		{ID: "testimageref1", RepoTags: []string{"repo.repo/test/test:docker", "docker.io/testing/test:something"}},
		{ID: "testimageref2", RepoTags: []string{"repo.repo/test/test:v2", "repo.repo/test/test:test2"}, RepoDigests: []string{"repo.repo/test/test@dgst2"}},
		{ID: "testimageref", RepoTags: []string{"repo.repo/test/test:v1", "repo.repo/test/test:test1"}, RepoDigests: []string{"repo.repo/test/test@dgst1"}},
		{ID: "testimageref3", RepoTags: []string{"repo.repo/test/test:v3", "repo.repo/test/test:test3"}},
		{ID: "testimageref4", RepoDigests: []string{"repo.repo/test/test@dgst4", "repo.repo/test/notatest@dgst44"}},
	}
}

// InitializeCase is a case of TestFileBasedImagePullManager_initialize
// (image_pull_manager_test.go:1269). Expected sets are file names; nil means none.
type InitializeCase struct {
	Name                  string
	ExistingIntents       []string
	ExistingPulledRecords []string
	ExpectedIntents       []string
	ExpectedPulled        []string
}

// InitializeCases is the table at image_pull_manager_test.go:1304-1370, 5 cases.
func InitializeCases() []InitializeCase {
	three := func() []string { return []string{pulledAnonPull, pulledTestImageRef, pulledEmptyMapping} }
	return []InitializeCase{
		{Name: "no pulling/pulled records"},
		{Name: "only pulled records", ExistingPulledRecords: three(), ExpectedPulled: three()},
		{Name: "pulling intent that matches an existing image - no matching pulled record", ExistingPulledRecords: three(),
			ExistingIntents: []string{pullingTestSomething}, ExpectedPulled: append(three(), pulledTestImageRef1)},
		{Name: "pulling intent that matches an existing image - a pull record matches", ExistingPulledRecords: three(),
			ExistingIntents: []string{pullingRepoTestV1}, ExpectedPulled: three()},
		{Name: "multiple pulling intents that match existing images", ExistingPulledRecords: three(),
			ExistingIntents: []string{pullingRepoTestV1, pullingTestSomething}, ExpectedPulled: append(three(), pulledTestImageRef1)},
	}
}

// PruneCase is a case of TestFileBasedImagePullManager_PruneUnknownRecords
// (image_pull_manager_test.go:1436).
type PruneCase struct {
	Name        string
	ImageList   []string
	GCStartTime time.Time
	PulledFiles []string
	WantFiles   []string // nil means none
}

// PruneCases is the table at image_pull_manager_test.go:1443-1493, 4 cases.
func PruneCases() []PruneCase {
	gc := time.Date(2024, 12, 25, 0, 1, 0, 0, time.UTC)
	three := func() []string { return []string{pulledAnonPull, pulledTestImageRef, pulledEmptyMapping} }
	return []PruneCase{
		{Name: "all images present", ImageList: []string{"testimage-anonpull", "testimageref", "testemptycredmapping"}, GCStartTime: gc,
			PulledFiles: three(), WantFiles: three()},
		{Name: "remove all records on empty list from the GC", ImageList: []string{}, GCStartTime: gc, PulledFiles: three()},
		{Name: "remove all records on list of untracked images from the GC", ImageList: []string{"untracked1", "different-untracked"}, GCStartTime: gc,
			PulledFiles: three()},
		{Name: "remove records without a match in the image list from the GC", ImageList: []string{"testimage-anonpull", "untracked1", "testimageref", "different-untracked"},
			GCStartTime: gc, PulledFiles: three(), WantFiles: []string{pulledAnonPull, pulledTestImageRef}},
	}
}
