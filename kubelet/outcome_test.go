package kubelet_test

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	presentImage = remoteImage{id: "sha256:present-id", digest: dg("a"), size: 1234}
	missingImage = remoteImage{id: "sha256:missing-id", digest: dg("b"), size: 5678}
)

// newRuntime returns a runtime whose registry serves present_image and missing_image, with
// present_image:latest already on the node, as in the kubelet's image manager tests.
func newRuntime() *fakeRuntime {
	rt := newFakeRuntime()
	rt.pullTime = 1500 * time.Millisecond
	rt.serve("present_image:latest", presentImage)
	rt.serve("missing_image:latest", missingImage)
	rt.preload("present_image:latest", presentImage)
	return rt
}

const pulledPresent = `Successfully pulled image "present_image" in 1.5s (1.5s including waiting). Image size: 1234 bytes.`

// TestEnsureImageOutcomes checks every row of the kubelet's outcome table (SEMANTICS.md §3.3)
// with the credential-verification gate off and on: runtime calls, events, error, message.
func TestEnsureImageOutcomes(t *testing.T) {
	invalidMsg := `Failed to apply default image tag "FAILED_IMAGE": couldn't parse image name "FAILED_IMAGE": invalid reference format: repository name (library/FAILED_IMAGE) must be lowercase`
	badSecret := credential.Secret{Namespace: "ns", Name: "bad", UID: "u-bad", Type: "kubernetes.io/dockercfg", Data: map[string][]byte{".dockercfg": []byte("invalid")}}
	tests := []struct {
		name    string
		image   string
		policy  pullpolicy.Policy
		secrets []credential.Secret
		setup   func(rt *fakeRuntime, cfg *kubelet.Config)
		calls   []string        // runtime calls, in order
		events  []kubelet.Event // with the gate off
		reason  error           // the sentinel, nil on success
		errText string          // EnsureError.WaitingReason()
		msg     string          // the returned message, gate off
		gateOn  string          // the returned message (and Pulled event) with the gate on, when different
		ref     string
	}{{
		name: "E9 invalid name", image: "FAILED_IMAGE", policy: pullpolicy.Always,
		events: []kubelet.Event{warning("InspectFailed", invalidMsg)},
		reason: pullpolicy.ErrInvalidImageName, errText: "InvalidImageName", msg: invalidMsg,
	}, {
		name: "E10 scheme", image: "http://url", policy: pullpolicy.Always,
		events: []kubelet.Event{warning("InspectFailed", `Failed to apply default image tag "http://url": couldn't parse image name "http://url": invalid reference format`)},
		reason: pullpolicy.ErrInvalidImageName, errText: "InvalidImageName",
		msg: `Failed to apply default image tag "http://url": couldn't parse image name "http://url": invalid reference format`,
	}, {
		name: "E11 64 hex", image: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", policy: pullpolicy.Always,
		events: []kubelet.Event{warning("InspectFailed", `Failed to apply default image tag "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad": couldn't parse image name "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad": invalid repository name (ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad), cannot specify 64-byte hexadecimal strings`)},
		reason: pullpolicy.ErrInvalidImageName, errText: "InvalidImageName",
		msg: `Failed to apply default image tag "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad": couldn't parse image name "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad": invalid repository name (ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad), cannot specify 64-byte hexadecimal strings`,
	}, {
		name: "E5 inspect error", image: "missing_image", policy: pullpolicy.IfNotPresent,
		setup:  func(rt *fakeRuntime, _ *kubelet.Config) { rt.inspect = errors.New("unknown inspectError") },
		calls:  []string{"GetImageRef"},
		events: []kubelet.Event{warning("InspectFailed", `Failed to inspect image "": unknown inspectError`)},
		reason: pullpolicy.ErrImageInspect, errText: "ImageInspectError", msg: `Failed to inspect image "": unknown inspectError`,
	}, {
		name: "E4 E14 never, absent", image: "nginx", policy: pullpolicy.Never,
		calls:  []string{"GetImageRef"},
		events: []kubelet.Event{warning("ErrImageNeverPull", `Container image "nginx" is not present with pull policy of Never`)},
		reason: pullpolicy.ErrImageNeverPull, errText: "ErrImageNeverPull", msg: `Container image "nginx" is not present with pull policy of Never`,
	}, {
		name: "E2 E15 F13 present", image: "present_image", policy: pullpolicy.IfNotPresent,
		calls:  []string{"GetImageRef"},
		events: []kubelet.Event{normal("Pulled", `Container image "present_image" already present on machine`)},
		msg:    `Container image "present_image" already present on machine`,
		gateOn: `Container image "present_image" already present on machine and can be accessed by the pod`,
		ref:    presentImage.id,
	}, {
		name: "present, never", image: "present_image:latest", policy: pullpolicy.Never,
		calls:  []string{"GetImageRef"},
		events: []kubelet.Event{normal("Pulled", `Container image "present_image:latest" already present on machine`)},
		msg:    `Container image "present_image:latest" already present on machine`,
		gateOn: `Container image "present_image:latest" already present on machine and can be accessed by the pod`,
		ref:    presentImage.id,
	}, {
		name: "E3 F14 always, present", image: "present_image", policy: pullpolicy.Always,
		calls:  []string{"PullImage"},
		events: []kubelet.Event{normal("Pulling", `Pulling image "present_image"`), normal("Pulled", pulledPresent)},
		ref:    presentImage.id,
	}, {
		name: "E1 E16 absent, pull", image: "missing_image", policy: pullpolicy.IfNotPresent,
		calls: []string{"GetImageRef", "PullImage"},
		events: []kubelet.Event{normal("Pulling", `Pulling image "missing_image"`),
			normal("Pulled", `Successfully pulled image "missing_image" in 1.5s (1.5s including waiting). Image size: 5678 bytes.`)},
		ref: missingImage.id,
	}, {
		name: "default policy of an untagged image is Always", image: "present_image",
		calls:  []string{"PullImage"},
		events: []kubelet.Event{normal("Pulling", `Pulling image "present_image"`), normal("Pulled", pulledPresent)},
		ref:    presentImage.id,
	}, {
		name: "E6 generic pull failure", image: "typo_image", policy: pullpolicy.IfNotPresent,
		setup:  func(rt *fakeRuntime, _ *kubelet.Config) { rt.pullErr = errors.New("404") },
		calls:  []string{"GetImageRef", "PullImage"},
		events: []kubelet.Event{normal("Pulling", `Pulling image "typo_image"`), warning("Failed", `Failed to pull image "typo_image": 404`)},
		reason: pullpolicy.ErrImagePull, errText: "ErrImagePull", msg: "404",
	}, {
		name: "E18 gRPC NotFound keeps its text", image: "typo_image:v1", policy: pullpolicy.IfNotPresent,
		calls: []string{"GetImageRef", "PullImage"},
		events: []kubelet.Event{normal("Pulling", `Pulling image "typo_image:v1"`),
			warning("Failed", `Failed to pull image "typo_image:v1": rpc error: code = NotFound desc = failed to pull and unpack image "typo_image:v1": not found`)},
		reason: pullpolicy.ErrImagePull, errText: "ErrImagePull",
		msg: `rpc error: code = NotFound desc = failed to pull and unpack image "typo_image:v1": not found`,
	}, {
		name: "E17 registry unavailable", image: "typo_image", policy: pullpolicy.IfNotPresent,
		setup: func(rt *fakeRuntime, _ *kubelet.Config) { rt.pullErr = errors.New("RegistryUnavailable: foo") },
		calls: []string{"GetImageRef", "PullImage"},
		events: []kubelet.Event{normal("Pulling", `Pulling image "typo_image"`),
			warning("Failed", `Failed to pull image "typo_image": RegistryUnavailable: foo`)},
		reason: pullpolicy.ErrRegistryUnavailable, errText: "RegistryUnavailable",
		msg: "image pull failed for typo_image because the registry is unavailable: foo",
	}, {
		name: "M6 registry unavailable, bare", image: "typo_image", policy: pullpolicy.IfNotPresent,
		setup: func(rt *fakeRuntime, _ *kubelet.Config) { rt.pullErr = pullpolicy.ErrRegistryUnavailable },
		calls: []string{"GetImageRef", "PullImage"},
		events: []kubelet.Event{normal("Pulling", `Pulling image "typo_image"`),
			warning("Failed", `Failed to pull image "typo_image": RegistryUnavailable`)},
		reason: pullpolicy.ErrRegistryUnavailable, errText: "RegistryUnavailable",
		msg: "image pull failed for typo_image because the registry is unavailable",
	}, {
		name: "E12 M9 signature validation", image: "typo_image", policy: pullpolicy.IfNotPresent,
		setup: func(rt *fakeRuntime, _ *kubelet.Config) {
			rt.pullErr = fmt.Errorf("%w: bar", pullpolicy.ErrSignatureValidationFailed)
		},
		calls: []string{"GetImageRef", "PullImage"},
		events: []kubelet.Event{normal("Pulling", `Pulling image "typo_image"`),
			warning("Failed", `Failed to pull image "typo_image": SignatureValidationFailed: bar`)},
		reason: pullpolicy.ErrSignatureValidationFailed, errText: "SignatureValidationFailed",
		msg: "image pull failed for typo_image because the signature validation failed: bar",
	}, {
		name: "E19 an aggregate of credential failures is ErrImagePull", image: "typo_image", policy: pullpolicy.IfNotPresent,
		setup: func(rt *fakeRuntime, _ *kubelet.Config) {
			rt.pullErr = errors.New("[RegistryUnavailable: a, failed to authorize]")
		},
		calls: []string{"GetImageRef", "PullImage"},
		events: []kubelet.Event{normal("Pulling", `Pulling image "typo_image"`),
			warning("Failed", `Failed to pull image "typo_image": [RegistryUnavailable: a, failed to authorize]`)},
		reason: pullpolicy.ErrImagePull, errText: "ErrImagePull", msg: "[RegistryUnavailable: a, failed to authorize]",
	}, {
		name: "E8 QPS limiter refuses", image: "present_image", policy: pullpolicy.Always,
		setup: func(_ *fakeRuntime, cfg *kubelet.Config) {
			cfg.RegistryPullQPS, cfg.RegistryBurst = ptr[int32](2000), ptr[int32](0)
		},
		events: []kubelet.Event{normal("Pulling", `Pulling image "present_image"`),
			warning("Failed", `Failed to pull image "present_image": pull QPS exceeded`)},
		reason: pullpolicy.ErrImagePull, errText: "ErrImagePull", msg: "pull QPS exceeded",
	}, {
		name: "E20 keyring error is raw, Always", image: "present_image", policy: pullpolicy.Always,
		secrets: []credential.Secret{badSecret},
		errText: "invalid character 'i' looking for beginning of value",
		msg:     "invalid character 'i' looking for beginning of value",
	}, {
		name: "keyring error is raw, absent", image: "missing_image", policy: pullpolicy.IfNotPresent,
		secrets: []credential.Secret{badSecret},
		calls:   []string{"GetImageRef"},
		errText: "invalid character 'i' looking for beginning of value",
		msg:     "invalid character 'i' looking for beginning of value",
	}}
	for _, gate := range []bool{false, true} {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("gate=%v/%s", gate, tc.name), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					rt := newRuntime()
					rec := &recorder{}
					cfg := kubelet.Config{Store: rt, Puller: rt, Recorder: rec, DisableCredentialVerification: !gate}
					if tc.setup != nil {
						tc.setup(rt, &cfg)
					}
					m, err := kubelet.NewImageManager(cfg)
					require.NoError(t, err)
					req := kubelet.Request{
						Pod:   kubelet.Pod{Namespace: "test-ns", Name: "foo", UID: "bar"},
						Image: tc.image, Policy: tc.policy, PullSecrets: tc.secrets,
					}
					res, err := m.EnsureImageExists(t.Context(), req)

					msg, events := tc.msg, tc.events
					if gate && tc.gateOn != "" {
						msg = tc.gateOn
						events = []kubelet.Event{normal("Pulled", tc.gateOn)}
					}
					assert.Equal(t, tc.calls, rt.takeCalls(), "runtime calls")
					assert.Equal(t, events, res.Events, "events")
					assert.Equal(t, res.Events, rec.events, "recorded events")
					assert.Equal(t, msg, res.Message, "message")
					assert.Equal(t, tc.ref, res.ImageRef, "image ref")
					if tc.errText == "" {
						require.NoError(t, err)
						return
					}
					require.Error(t, err)
					var ee *kubelet.EnsureError
					require.ErrorAs(t, err, &ee)
					assert.Equal(t, tc.errText, ee.WaitingReason(), "waiting reason")
					if ee.Reason != nil && msg != "" && msg != tc.errText {
						assert.Equal(t, tc.errText+": "+msg, err.Error(), "the error says what happened")
					} else {
						assert.Equal(t, tc.errText, err.Error())
					}
					assert.Equal(t, msg, ee.Message)
					if tc.reason != nil {
						assert.ErrorIs(t, err, tc.reason)
					} else {
						assert.Nil(t, ee.Reason, "a raw error carries no sentinel")
					}
				})
			})
		}
	}
}
