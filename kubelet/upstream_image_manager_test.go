package kubelet_test

// The kubelet's own image manager tests, translated case by case: every case keeps its
// name and its expected result. Source: k8s.io/kubernetes v1.37.2
// pkg/kubelet/images/image_manager_test.go (v1.36.3 has the same cases) and metrics_test.go.
//
// Count (image_manager_test.go): 50 cases. pullerTestCases (lines 87-697) has 32: 12 without
// the feature gate, 8 for KubeletEnsureSecretPulledImages, and the 12 again with the gate; each
// is run by TestParallelPuller (:885), TestSerializedPuller (:931) and TestImagePullPrecheck
// (:1373). Then TestApplyDefaultImageTag 5, TestPullAndListImageWithPodAnnotations 1,
// TestPullAndListImageWithRuntimeHandlerInImageCriAPIFeatureGate 1,
// TestParallelPodPullingTimeRecorderWithErr 1, TestEnsureImageExistsWithServiceAccountCoordinates
// 3, TestEnsureImageExistsWithNodeCredentialsOnly 1: 44 cases translated here, all passing.
// TestEvalCRIPullErr's 5 cases are in classify_test.go (TestClassifyPullErr) and
// TestMaxParallelImagePullsLimit's case in config_test.go (TestManagerPullConcurrency, M3),
// under their kubelet names. Not expressible: none. The four back-off sequences of
// pullerTestCases were already in backoff_sequence_test.go (E6, E7, E8, E12, now also named as
// in the kubelet); they are run here again because this table also checks their events, the
// pulling-time recorder and the metric, which that test does not.
//
// metrics_test.go: TestEnsureImageRequestsMetrics (:31) runs the same 32 cases for
// kubelet_image_manager_ensure_image_requests_total; each case's labels are checked here on its
// first call (32 translated, all passing).
//
// How the kubelet's doubles map onto this API:
//   - the fake runtime's "GetImageSize" call is not a call here: the Puller returns the size
//     with the pull ([kubelet.PullResult].Size), so the runtime calls are the kubelet's without
//     it;
//   - the pod pulling-time recorder (RecordImageStartedPulling/FinishedPulling) is
//     [kubelet.Metrics].ObservePull in the table (started when a pull was let through the
//     back-off, a refusal by the QPS limit included; finished when it succeeded), and the
//     Pulling and Pulled events in TestUpstreamParallelPodPullingTimeRecorderWithErr, where it
//     is watched while the pulls are held;
//   - the mock image pull manager is the real one (kubelet/pullmanager) over records that, like
//     the mock, never learn from a pull (mockRecords). "Allow all" (no allowedCredentials) is
//     the default policy, NeverVerifyPreloadedImages, with present_image preloaded; a case
//     with allowedCredentials runs under AlwaysVerify, and the allowed Secrets and service
//     accounts are recorded first by another pod's pull (a Secret with the allowed
//     coordinates and other content, so that only its coordinates match, as the mock compares
//     nothing else);
//   - the mock keyring's tracked credentials (registryCredentials) are a
//     [credential.Provider] answering for docker.io/library/present_image;
//   - what the mock pull manager was handed (mustAttemptCalled, lastServiceAccounts) is
//     observed through the must-pull check's result ([kubelet.Metrics].ObserveMustPullCheck)
//     and the credential the runtime pulled with.

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// upstreamStep is one pullerExpects of the kubelet's table.
type upstreamStep struct {
	calls             []string // runtime calls, without GetImageSize
	err               error    // the sentinel, nil for success
	started, finished bool     // the pod pulling-time recorder
	events            []string // event reasons
	msg               string   // contained in the returned message
}

// upstreamAllowed is a mockImagePullManagerConfig: what the pull manager already knows.
type upstreamAllowed struct {
	secrets         map[string][]credential.Source // image -> Secrets allowed
	serviceAccounts map[string][]credential.Source // image -> service accounts allowed
}

// upstreamPullerCase is one pullerTestCase.
type upstreamPullerCase struct {
	line           int // of testName in image_manager_test.go
	name           string
	image          string
	policy         pullpolicy.Policy
	secrets        []credential.Secret
	allowed        *upstreamAllowed
	serviceAccount string
	registryCreds  []credential.Credential // for docker.io/library/present_image
	inspectErr     error
	pullerErr      error
	qps, burst     int32
	steps          []upstreamStep
	metric         [3]string // pull_policy, present_locally, pull_required
	gate           bool      // KubeletEnsureSecretPulledImages
}

// upstreamSecret is makeDockercfgSecretForRepo (image_manager_test.go:1419): a
// dockerconfigjson Secret for repo with the given auth ("user:password" there).
func upstreamSecret(ns, name, uid, repo, auth string) credential.Secret {
	doc := `{"auths": {"` + repo + `": {"auth": "` + base64.StdEncoding.EncodeToString([]byte(auth)) + `"}}}`
	return credential.Secret{Namespace: ns, Name: name, UID: uid, Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(doc)}}
}

func saSource(ns, name, uid string) credential.Source {
	return credential.Source{Kind: credential.SourceServiceAccount, Namespace: ns, Name: name, UID: uid}
}

func saCredential(user, password string, src credential.Source) credential.Credential {
	c := credential.Credential{Username: user, Password: password, Source: src}
	c.Hash = credential.Hash(c)
	return c
}

func upstreamSteps(n int, s upstreamStep) []upstreamStep {
	out := make([]upstreamStep, n)
	for i := range out {
		out[i] = s
	}
	return out
}

var (
	refOnly   = []string{"GetImageRef"}
	refPull   = []string{"GetImageRef", "PullImage"}
	pullOnly  = []string{"PullImage"}
	pulled    = upstreamStep{calls: refPull, started: true, finished: true, events: []string{"Pulling", "Pulled"}}
	present   = upstreamStep{calls: refOnly, events: []string{"Pulled"}}
	neverPull = upstreamStep{calls: refOnly, err: pullpolicy.ErrImageNeverPull, events: []string{"ErrImageNeverPull"}}
)

// noFGPullerCases is noFGPullerTestCases (image_manager_test.go:96).
func noFGPullerCases() []upstreamPullerCase {
	pullFailed := upstreamStep{calls: refPull, err: pullpolicy.ErrImagePull, started: true, events: []string{"Pulling", "Failed"}}
	backOff := upstreamStep{calls: refOnly, err: pullpolicy.ErrImagePullBackOff, events: []string{"BackOff"}}
	alwaysPulled := upstreamStep{calls: pullOnly, started: true, finished: true, events: []string{"Pulling", "Pulled"}}
	qpsFailed := upstreamStep{err: pullpolicy.ErrImagePull, started: true, events: []string{"Pulling", "Failed"}}
	invalid := upstreamStep{err: pullpolicy.ErrInvalidImageName, events: []string{"InspectFailed"}}
	const sig = "image pull failed for typo_image because the signature validation failed"
	sigFailed := upstreamStep{calls: refPull, err: pullpolicy.ErrSignatureValidationFailed, started: true, events: []string{"Pulling", "Failed"}, msg: sig}
	sigBackOff := upstreamStep{calls: refOnly, err: pullpolicy.ErrImagePullBackOff, events: []string{"BackOff"},
		msg: `Back-off pulling image "typo_image": SignatureValidationFailed: ` + sig}
	inspectFailed := upstreamStep{calls: refOnly, err: pullpolicy.ErrImageInspect, events: []string{"InspectFailed"}}
	return []upstreamPullerCase{
		{line: 99, name: "image missing, pull", image: "missing_image", policy: pullpolicy.IfNotPresent,
			steps: []upstreamStep{pulled}, metric: [3]string{"ifnotpresent", "false", "true"}},
		{line: 117, name: "image present, allow all, don't pull ", image: "present_image", policy: pullpolicy.IfNotPresent,
			steps: upstreamSteps(3, present), metric: [3]string{"ifnotpresent", "true", "false"}},
		{line: 142, name: "image present, pull", image: "present_image", policy: pullpolicy.Always,
			steps: upstreamSteps(3, alwaysPulled), metric: [3]string{"always", "unknown", "true"}},
		{line: 169, name: "image missing, never pull", image: "missing_image", policy: pullpolicy.Never,
			steps: upstreamSteps(3, neverPull), metric: [3]string{"never", "false", "unknown"}},
		{line: 193, name: "image missing, pull if not present, fail on image inspect", image: "missing_image", policy: pullpolicy.IfNotPresent,
			inspectErr: fmt.Errorf("unknown inspectError"),
			steps:      upstreamSteps(3, inspectFailed), metric: [3]string{"ifnotpresent", "unknown", "unknown"}},
		{line: 217, name: "image missing, unable to fetch", image: "typo_image", policy: pullpolicy.IfNotPresent,
			pullerErr: fmt.Errorf("404"),
			steps:     []upstreamStep{pullFailed, pullFailed, backOff, pullFailed, backOff, backOff}, metric: [3]string{"ifnotpresent", "false", "true"}},
		{line: 256, name: "image present and qps>0, pull", image: "present_image", policy: pullpolicy.Always, qps: 400, burst: 600,
			steps: upstreamSteps(3, alwaysPulled), metric: [3]string{"always", "unknown", "true"}},
		{line: 283, name: "image present and excessive qps rate, pull", image: "present_image", policy: pullpolicy.Always, qps: 2000, burst: 0,
			steps:  []upstreamStep{qpsFailed, qpsFailed, {err: pullpolicy.ErrImagePullBackOff, events: []string{"BackOff"}}},
			metric: [3]string{"always", "unknown", "true"}},
		{line: 309, name: "invalid image name, no pull", image: "FAILED_IMAGE", policy: pullpolicy.Always,
			steps: []upstreamStep{invalid}, metric: [3]string{"always", "unknown", "unknown"}},
		{line: 325, name: "invalid image name with http, no pull", image: "http://url", policy: pullpolicy.Always,
			steps: []upstreamStep{invalid}, metric: [3]string{"always", "unknown", "unknown"}},
		{line: 341, name: "invalid image name with sha256, no pull", image: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", policy: pullpolicy.Always,
			steps: []upstreamStep{invalid}, metric: [3]string{"always", "unknown", "unknown"}},
		{line: 356, name: "image missing, SignatureValidationFailed", image: "typo_image", policy: pullpolicy.IfNotPresent,
			pullerErr: pullpolicy.ErrSignatureValidationFailed,
			steps:     []upstreamStep{sigFailed, sigFailed, sigBackOff, sigFailed, sigBackOff}, metric: [3]string{"ifnotpresent", "false", "true"}},
	}
}

// ensureSecretPullerCases is ensureSecretImagesTestCases (image_manager_test.go:395): the
// gate's own cases, then every case above again with the gate on.
func ensureSecretPullerCases() []upstreamPullerCase {
	const fg = "[KubeletEnsureSecretPulledImages] "
	const repo = "docker.io/library/present_image"
	known := upstreamSource("testns", "testname", "testuid")
	sa123 := saSource("test-ns", "test-service-account", "sa-uid-123")
	saCreds123 := []credential.Credential{saCredential("sa-user", "sa-token", sa123)}
	cases := []upstreamPullerCase{
		{line: 398, name: fg + "image present, unknown to image pull manager, pull", image: "present_image", policy: pullpolicy.IfNotPresent,
			allowed: &upstreamAllowed{secrets: map[string][]credential.Source{"another_image": {known}}},
			secrets: []credential.Secret{upstreamSecret("testns", "testname", "testuid", repo, "user:password")},
			steps:   upstreamSteps(3, pulled), metric: [3]string{"ifnotpresent", "true", "true"}},
		{line: 433, name: fg + "image present, unknown secret to image pull manager, pull", image: "present_image", policy: pullpolicy.IfNotPresent,
			allowed: &upstreamAllowed{secrets: map[string][]credential.Source{"present_image": {known}}},
			secrets: []credential.Secret{upstreamSecret("testns", "testname", "someothertestuid", repo, "user:password")},
			steps:   upstreamSteps(3, pulled), metric: [3]string{"ifnotpresent", "true", "true"}},
		{line: 468, name: fg + "image present, unknown secret to image pull manager, never pull policy -> fail", image: "present_image", policy: pullpolicy.Never,
			allowed: &upstreamAllowed{secrets: map[string][]credential.Source{"present_image": {known}}},
			secrets: []credential.Secret{upstreamSecret("testns", "testname", "someothertestuid", repo, "user:password")},
			steps:   upstreamSteps(3, neverPull), metric: [3]string{"never", "true", "true"}},
		{line: 500, name: fg + "image present, a secret matches one of known to the image pull manager, don't pull", image: "present_image", policy: pullpolicy.IfNotPresent,
			allowed: &upstreamAllowed{secrets: map[string][]credential.Source{"present_image": {known}}},
			secrets: []credential.Secret{
				upstreamSecret("testns", "testname", "someothertestuid", repo, "user:password"),
				upstreamSecret("testns", "testname", "testuid", repo, "user:password"),
			},
			steps: upstreamSteps(3, present), metric: [3]string{"ifnotpresent", "true", "false"}},
		{line: 535, name: fg + "image present, service account credentials available, don't pull", image: "present_image", policy: pullpolicy.IfNotPresent,
			serviceAccount: "test-service-account", registryCreds: saCreds123,
			steps: []upstreamStep{present}, metric: [3]string{"ifnotpresent", "true", "false"}},
		{line: 571, name: fg + "image present, service account allowed by pull manager, don't pull", image: "present_image", policy: pullpolicy.IfNotPresent,
			serviceAccount: "test-service-account", registryCreds: saCreds123,
			allowed: &upstreamAllowed{serviceAccounts: map[string][]credential.Source{"present_image": {sa123}}},
			steps:   []upstreamStep{present}, metric: [3]string{"ifnotpresent", "true", "false"}},
		{line: 617, name: fg + "image present, mixed credentials (secrets + service accounts), pull required", image: "present_image", policy: pullpolicy.IfNotPresent,
			serviceAccount: "test-service-account",
			secrets:        []credential.Secret{upstreamSecret("testns", "testname", "secret-uid", repo, "user:password")},
			registryCreds:  []credential.Credential{saCredential("sa-user", "sa-token", saSource("test-ns", "test-service-account", "sa-uid-456"))},
			allowed:        &upstreamAllowed{secrets: map[string][]credential.Source{"present_image": {upstreamSource("testns", "testname", "different-secret-uid")}}},
			steps:          []upstreamStep{pulled}, metric: [3]string{"ifnotpresent", "true", "true"}},
		{line: 661, name: fg + "image present, only node credentials (no source), proceed without tracking", image: "present_image", policy: pullpolicy.IfNotPresent,
			registryCreds: []credential.Credential{saCredential("node-user", "node-pass", credential.Source{})},
			steps:         []upstreamStep{present}, metric: [3]string{"ifnotpresent", "true", "false"}},
	}
	for i := range cases {
		cases[i].gate = true
	}
	for _, c := range noFGPullerCases() { // image_manager_test.go:692-696
		c.name = fg + c.name
		c.gate = true
		cases = append(cases, c)
	}
	return cases
}

func upstreamSource(ns, name, uid string) credential.Source {
	return credential.Source{Kind: credential.SourceSecret, Namespace: ns, Name: name, UID: uid}
}

// upstreamEnv is pullerTestEnv (image_manager_test.go:823): the image manager over the fake
// runtime, with back-off 1 s → 1 min, and what it reports.
type upstreamEnv struct {
	rt  *fakeRuntime
	rec *recorder
	obs *observed
	m   *kubelet.ImageManager
}

const primerUID = "primer"

// mockRecords are the pull manager's records as the kubelet's mockImagePullManager keeps them:
// it embeds NoopImagePullManager (image_manager_test.go:732), so it never learns from a pull.
// The records are written while the allowed credentials are primed, then frozen.
type mockRecords struct {
	*pullmanager.MemoryRecords
	frozen bool
}

func (r *mockRecords) WritePulledRecord(rec pullmanager.PulledRecord) error {
	if r.frozen {
		return nil
	}
	return r.MemoryRecords.WritePulledRecord(rec)
}

func newUpstreamEnv(t *testing.T, c upstreamPullerCase, serialized bool, maxParallel *int32) *upstreamEnv {
	t.Helper()
	rt := newRuntime()
	rt.pullTime = 0 // the kubelet's fake runtime pulls instantly
	rt.serve("another_image:latest", remoteImage{id: "sha256:another-id", digest: dg("c"), size: 1})
	env := &upstreamEnv{rt: rt, rec: &recorder{}, obs: &observed{}}
	primerCreds := map[string][]credential.Credential{}
	if c.allowed != nil {
		for _, sources := range c.allowed.serviceAccounts {
			for _, src := range sources {
				primerCreds["docker.io/library/present_image"] = append(primerCreds["docker.io/library/present_image"], saCredential("primer", "primer", src))
			}
		}
	}
	cfg := kubelet.Config{
		Store: rt, Puller: rt, Recorder: env.rec, Metrics: env.obs,
		DisableCredentialVerification: !c.gate,
		SerializeImagePulls:           ptr(serialized), MaxParallelImagePulls: maxParallel,
		RegistryPullQPS: ptr(c.qps), RegistryBurst: ptr(c.burst),
		BackOffInitial: time.Second, BackOffMax: time.Minute,
		CredentialProvider: credential.ProviderFunc(func(_ context.Context, req credential.ProviderRequest) ([]credential.Credential, error) {
			if req.Pod.UID == primerUID {
				return primerCreds[req.Repository], nil
			}
			if req.Repository == "docker.io/library/present_image" {
				return c.registryCreds, nil
			}
			return nil, nil
		}),
	}
	records := &mockRecords{MemoryRecords: pullmanager.NewMemoryRecords()}
	cfg.Records = records
	if c.allowed != nil {
		cfg.VerificationPolicy = pullmanager.AlwaysVerify
	}
	m, err := kubelet.NewImageManager(cfg)
	require.NoError(t, err)
	env.m = m
	if c.allowed != nil {
		env.prime(t, c.allowed)
		records.frozen = true
	}
	rt.pullErr, rt.inspect = c.pullerErr, c.inspectErr
	return env
}

// prime makes the pull manager know the allowed Secrets and service accounts: another pod
// pulls each image with them. A primed Secret has the allowed coordinates and content no pod of
// the cases has, so that it matches by its coordinates only, as the mock matches.
func (e *upstreamEnv) prime(t *testing.T, a *upstreamAllowed) {
	t.Helper()
	for image, sources := range a.secrets {
		for _, src := range sources {
			s := upstreamSecret(src.Namespace, src.Name, src.UID, "docker.io/library/"+image, "primer:primer")
			_, err := e.m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{Namespace: "primer", Name: "primer", UID: primerUID},
				Image: image, Policy: pullpolicy.Always, PullSecrets: []credential.Secret{s}})
			require.NoError(t, err)
		}
	}
	for image := range a.serviceAccounts {
		_, err := e.m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{Namespace: "primer", Name: "primer", UID: primerUID, ServiceAccount: "primer"},
			Image: image, Policy: pullpolicy.Always})
		require.NoError(t, err)
	}
	e.take()
}

// take returns and forgets what the runtime, the recorder and the metrics saw.
func (e *upstreamEnv) take() (calls, reasons []string, pulls []kubelet.PullObservation, ensures []kubelet.EnsureObservation) {
	calls = e.rt.takeCalls()
	e.rec.mu.Lock()
	for _, ev := range e.rec.events {
		reasons = append(reasons, ev.Reason)
	}
	e.rec.events = nil
	e.rec.mu.Unlock()
	e.obs.mu.Lock()
	pulls, ensures = e.obs.pulls, e.obs.ensures
	e.obs.pulls, e.obs.ensures, e.obs.checks = nil, nil, nil
	e.obs.mu.Unlock()
	return calls, reasons, pulls, ensures
}

// pullingTime is the mock pod pulling-time recorder's view of pulls.
func pullingTime(pulls []kubelet.PullObservation) (started, finished bool) {
	for _, p := range pulls {
		started = true
		finished = finished || p.Outcome == kubelet.PullSucceeded
	}
	return started, finished
}

// TestUpstreamPullerCases is TestParallelPuller (image_manager_test.go:885),
// TestSerializedPuller (:931), TestImagePullPrecheck (:1373) and, on each case's first call,
// TestEnsureImageRequestsMetrics (metrics_test.go:31), over pullerTestCases (:87).
func TestUpstreamPullerCases(t *testing.T) {
	cases := append(noFGPullerCases(), ensureSecretPullerCases()...)
	require.Len(t, cases, 32, "pullerTestCases: 12 + 8 + 12")
	pod := kubelet.Pod{Namespace: "test-ns", Name: "test_pod", UID: "bar"}
	for _, mode := range []struct {
		name       string
		serialized bool
	}{{"TestParallelPuller", false}, {"TestSerializedPuller", true}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s (line %d)", mode.name, c.name, c.line), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					env := newUpstreamEnv(t, c, mode.serialized, nil)
					p := pod
					p.ServiceAccount = c.serviceAccount
					for i, want := range c.steps {
						time.Sleep(time.Second) // fakeClock.Step(time.Second)
						res, err := env.m.EnsureImageExists(t.Context(), kubelet.Request{Pod: p, Container: "container_name",
							Image: c.image, Policy: c.policy, PullSecrets: c.secrets})
						calls, reasons, pulls, ensures := env.take()
						assert.Equal(t, want.calls, calls, "step %d: runtime calls", i)
						if want.err == nil {
							assert.NoError(t, err, "step %d", i)
						} else {
							assert.ErrorIs(t, err, want.err, "step %d", i)
						}
						started, finished := pullingTime(pulls)
						assert.Equal(t, want.started, started, "step %d: started pulling recorded", i)
						assert.Equal(t, want.finished, finished, "step %d: finished pulling recorded", i)
						assert.Contains(t, res.Message, want.msg, "step %d: message", i)
						assert.Equal(t, want.events, reasons, "step %d: events (TestImagePullPrecheck)", i)
						if i == 0 && assert.Len(t, ensures, 1) {
							got := ensures[0]
							assert.Equal(t, c.metric, [3]string{strings.ToLower(string(got.Policy)), got.PresentLocally.String(), got.PullRequired.String()},
								"kubelet_image_manager_ensure_image_requests_total{pull_policy, present_locally, pull_required} (metrics_test.go)")
						}
					}
				})
			})
		}
	}
}

// TestUpstreamApplyDefaultImageTag is TestApplyDefaultImageTag (image_manager_test.go:977):
// the string the runtime is asked for.
func TestUpstreamApplyDefaultImageTag(t *testing.T) {
	const sha = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	for _, tc := range []struct{ testName, input, output string }{
		{"root", "root", "root:latest"},
		{"root:tag", "root:tag", "root:tag"},
		{"root@sha", "root@" + sha, "root@" + sha},
		{"root:latest@sha", "root:latest@" + sha, "root:latest@" + sha},
		{"root:latest", "root:latest", "root:latest"},
	} {
		t.Run(tc.testName, func(t *testing.T) {
			img, err := reference.Parse(tc.input)
			require.NoError(t, err)
			assert.Equal(t, tc.output, img.WithDefaultTag())
		})
	}
}

// TestUpstreamPullAndListImage is TestPullAndListImageWithPodAnnotations
// (image_manager_test.go:1000) and TestPullAndListImageWithRuntimeHandlerInImageCriAPIFeatureGate
// (:1060): the pod's annotations and runtime handler go to the runtime with the pull. The
// kubelet's fake runtime keeps them in the listed image's spec; here the pull request carries
// them (a CRI runtime stores them, see package cri).
func TestUpstreamPullAndListImage(t *testing.T) {
	annotations := map[string]string{"kubernetes.io/runtimehandler": "handler_name"}
	for _, tc := range []struct {
		line    int
		name    string
		handler string
	}{
		{1021, "test pull and list image with pod annotations", ""},
		{1084, "test pull and list image with pod annotations, RuntimeClassInImageCriAPI", "handler_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := upstreamPullerCase{image: "missing_image", policy: pullpolicy.IfNotPresent}
				env := newUpstreamEnv(t, c, true, nil)
				time.Sleep(time.Second)
				pod := kubelet.Pod{Namespace: "test-ns", Name: "test_pod", UID: "bar", Annotations: annotations}
				_, err := env.m.EnsureImageExists(t.Context(), kubelet.Request{Pod: pod, Container: "container_name",
					Image: c.image, Policy: c.policy, RuntimeHandler: tc.handler})
				require.NoError(t, err)
				calls, _, pulls, _ := env.take()
				assert.Equal(t, refPull, calls)
				started, finished := pullingTime(pulls)
				assert.True(t, started)
				assert.True(t, finished)
				images := env.rt.store.List()
				assert.Len(t, images, 2, "present_image and the pulled missing_image")
				req := env.rt.lastRequest()
				assert.Equal(t, "missing_image:latest", req.Image)
				assert.Equal(t, tc.handler, req.RuntimeHandler)
				assert.Equal(t, annotations, req.Annotations)
			})
		})
	}
}

// podPullRecorder is the kubelet's mockPodPullingTimeRecorder (image_manager_test.go:699) over
// the events: RecordImageStartedPulling is called just before the Pulling event
// (image_manager.go:361), RecordImageFinishedPulling with the Pulled event, after a pull
// (:379) or when the image is found present (:256, :269), and counts only after a start.
type podPullRecorder struct {
	mu                sync.Mutex
	started, finished map[string]bool
}

func (r *podPullRecorder) Event(_ context.Context, req *kubelet.Request, e kubelet.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e.Reason {
	case pullpolicy.ReasonPulling:
		r.started[req.Pod.UID] = true
	case pullpolicy.ReasonPulled:
		if r.started[req.Pod.UID] {
			r.finished[req.Pod.UID] = true
		}
	}
}

func (r *podPullRecorder) get(uid string) (started, finished bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.started[uid], r.finished[uid]
}

// TestUpstreamParallelPodPullingTimeRecorderWithErr is
// TestParallelPodPullingTimeRecorderWithErr (image_manager_test.go:1206), case "missing image,
// pull if not present": two pods pull missing_image in parallel (maxParallelImagePulls 2);
// both pulls start and neither is finished; one succeeds, the other fails; then both pods find
// the image present without a pull, and both pulling times are finished.
func TestUpstreamParallelPodPullingTimeRecorderWithErr(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime()
		rt.pullTime = 0
		rt.gate = make(chan struct{})
		rec := &podPullRecorder{started: map[string]bool{}, finished: map[string]bool{}}
		m, err := kubelet.NewImageManager(kubelet.Config{
			Store: rt, Puller: rt, SerializeImagePulls: ptr(false), MaxParallelImagePulls: ptr[int32](2),
			RegistryPullQPS: ptr[int32](0), BackOffInitial: time.Second, BackOffMax: time.Minute, Recorder: rec,
		})
		require.NoError(t, err)
		pods := []kubelet.Pod{{Namespace: "test-ns", Name: "test_pod1", UID: "bar1"}, {Namespace: "test-ns", Name: "test_pod2", UID: "bar2"}}
		ensure := func(p kubelet.Pod) error {
			_, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: p, Container: "container_name", Image: "missing_image", Policy: pullpolicy.IfNotPresent})
			return err
		}
		time.Sleep(time.Second)
		done := make(chan error, 2)
		for _, p := range pods {
			go func() { done <- ensure(p) }()
		}
		synctest.Wait()
		rt.mu.Lock()
		assert.Equal(t, 2, rt.inFlight, "PullImage called twice")
		rt.mu.Unlock()
		for _, p := range pods {
			started, finished := rec.get(p.UID)
			assert.True(t, started, "started pulling recorded for %s", p.UID)
			assert.False(t, finished, "finished pulling not recorded for %s", p.UID)
		}
		rt.gate <- struct{}{} // one pull succeeds
		<-done
		rt.mu.Lock()
		rt.pullErr = fmt.Errorf("pull image error")
		rt.mu.Unlock()
		rt.gate <- struct{}{} // the other fails
		<-done
		rt.mu.Lock()
		rt.gate, rt.pullErr = nil, nil
		rt.mu.Unlock()
		rt.takeCalls()
		time.Sleep(time.Second)
		for _, p := range pods {
			require.NoError(t, ensure(p), "the image is present now")
		}
		assert.Equal(t, []string{"GetImageRef", "GetImageRef"}, rt.takeCalls(), "no further PullImage")
		for _, p := range pods {
			_, finished := rec.get(p.UID)
			assert.True(t, finished, "finished pulling recorded for %s", p.UID)
		}
	})
}

// TestUpstreamServiceAccountCoordinates is TestEnsureImageExistsWithServiceAccountCoordinates
// (image_manager_test.go:1429): a pod's service-account credentials take part in the must-pull
// check. The mock's "allowed" and "must pull" answers are the real pull manager's under
// AlwaysVerify: with a record naming the service account, and without one.
func TestUpstreamServiceAccountCoordinates(t *testing.T) {
	tests := []struct {
		line      int
		name      string
		gate      bool
		sa        credential.Source // the service account the credential provider answers for
		recorded  bool              // whether the pull manager knows the service account
		wantPull  bool
		wantCheck []pullmanager.CheckResult
	}{
		{1461, "service account credentials passed to image pull manager", true, saSource("test-ns", "test-service-account", "sa-uid-123"), true, false,
			[]pullmanager.CheckResult{pullmanager.CheckCredentialRecordFound}},
		{1477, "service account credentials require image pull", true, saSource("test-ns", "test-service-account", "sa-uid-456"), false, true,
			[]pullmanager.CheckResult{pullmanager.CheckMustAuthenticate}},
		{1493, "feature gate disabled - no service account check", false, credential.Source{}, false, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := upstreamPullerCase{gate: tc.gate, serviceAccount: "test-service-account"}
				if tc.sa.Kind == credential.SourceServiceAccount {
					c.registryCreds = []credential.Credential{saCredential("user", "token", tc.sa)}
				}
				if tc.recorded {
					c.allowed = &upstreamAllowed{serviceAccounts: map[string][]credential.Source{"present_image": {tc.sa}}}
				} else if tc.gate {
					c.allowed = &upstreamAllowed{} // AlwaysVerify, nothing known
				}
				env := newUpstreamEnv(t, c, true, nil)
				pod := kubelet.Pod{Namespace: "test-ns", Name: "test_pod", UID: "pod-uid-123", ServiceAccount: "test-service-account"}
				_, err := env.m.EnsureImageExists(t.Context(), kubelet.Request{Pod: pod, Container: "container_name", Image: "present_image", Policy: pullpolicy.IfNotPresent})
				require.NoError(t, err)
				env.obs.mu.Lock()
				checks := env.obs.checks
				env.obs.mu.Unlock()
				assert.Equal(t, tc.wantCheck, checks, "MustAttemptImagePull called, and its answer")
				calls, _, _, _ := env.take()
				if tc.wantPull {
					assert.Equal(t, refPull, calls)
					assert.Equal(t, []credential.Credential{c.registryCreds[0]}, env.rt.lastRequest().Credentials, "the service account's credential pulled")
				} else {
					assert.Equal(t, refOnly, calls)
				}
			})
		})
	}
}

// TestUpstreamNodeCredentialsOnly is TestEnsureImageExistsWithNodeCredentialsOnly
// (image_manager_test.go:1576): node credentials (no source) are not tracked; the must-pull
// check runs (with no Secret and no service account) and the present image is used.
func TestUpstreamNodeCredentialsOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := upstreamPullerCase{gate: true, registryCreds: []credential.Credential{saCredential("nodeuser", "nodepass", credential.Source{})}}
		env := newUpstreamEnv(t, c, true, nil)
		pod := kubelet.Pod{Namespace: "test-ns", Name: "test_pod", UID: "pod-uid-123"}
		_, err := env.m.EnsureImageExists(t.Context(), kubelet.Request{Pod: pod, Container: "container_name", Image: "present_image", Policy: pullpolicy.IfNotPresent})
		require.NoError(t, err)
		env.obs.mu.Lock()
		checks := env.obs.checks
		env.obs.mu.Unlock()
		assert.Equal(t, []pullmanager.CheckResult{pullmanager.CheckCredentialPolicyAllowed}, checks, "MustAttemptImagePull called")
		calls, _, _, _ := env.take()
		assert.Equal(t, refOnly, calls)
	})
}
