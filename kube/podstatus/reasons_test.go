package podstatus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kube/podstatus"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// failingStore is a node whose image store cannot answer.
type failingStore struct{}

func (failingStore) Lookup(context.Context, reference.Image) (pullpolicy.LocalImage, bool, error) {
	return pullpolicy.LocalImage{}, false, errors.New("rpc error: code = Unavailable desc = connection closed")
}

// Every waiting reason of the issue, from the real image manager through Sync, the reason
// cache and ContainerStatuses: the status and the Failed event as the kubelet writes them.
func TestReasonsEndToEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		image   string
		policy  corev1.PullPolicy
		store   pullpolicy.Store // nil: the runtime
		setup   func(*kubelettest.Runtime)
		syncs   int // 2: the second sync right after the first
		reason  string
		message string
	}{
		{
			name: "Never, absent", image: "absent:1", policy: corev1.PullNever,
			reason: "ErrImageNeverPull", message: `Container image "absent:1" is not present with pull policy of Never`,
		},
		{
			name: "invalid name", image: "Invalid:1", policy: corev1.PullIfNotPresent,
			reason: "InvalidImageName", message: `Failed to apply default image tag "Invalid:1": couldn't parse image name "Invalid:1": invalid reference format: repository name (library/Invalid) must be lowercase`,
		},
		{
			name: "store error", image: "app:1", policy: corev1.PullIfNotPresent, store: failingStore{},
			reason: "ImageInspectError", message: `Failed to inspect image "": rpc error: code = Unavailable desc = connection closed`,
		},
		{
			name: "private, no Secret", image: "team/app:1", policy: corev1.PullIfNotPresent,
			setup: func(r *kubelettest.Runtime) {
				r.Private("team/app", credential.Credential{Username: "u", Password: "p"})
			},
			reason: "ErrImagePull", message: `failed to pull and unpack image "docker.io/team/app:1": failed to resolve reference "docker.io/team/app:1": unexpected status from HEAD request: 401 Unauthorized`,
		},
		{
			name: "private, no Secret, again within the back-off", image: "team/app:1", policy: corev1.PullIfNotPresent, syncs: 2,
			setup: func(r *kubelettest.Runtime) {
				r.Private("team/app", credential.Credential{Username: "u", Password: "p"})
			},
			reason:  "ImagePullBackOff",
			message: `Back-off pulling image "team/app:1": ErrImagePull: failed to pull and unpack image "docker.io/team/app:1": failed to resolve reference "docker.io/team/app:1": unexpected status from HEAD request: 401 Unauthorized`,
		},
		{
			name: "registry unavailable", image: "app:1", policy: corev1.PullAlways,
			setup: func(r *kubelettest.Runtime) {
				r.Fail("app:1", errors.New("RegistryUnavailable: dial tcp 127.0.0.1:5000: connect: connection refused"))
			},
			reason: "RegistryUnavailable", message: `image pull failed for app:1 because the registry is unavailable: dial tcp 127.0.0.1:5000: connect: connection refused`,
		},
		{
			name: "signature", image: "app:1", policy: corev1.PullAlways,
			setup: func(r *kubelettest.Runtime) {
				r.Fail("app:1", errors.New("SignatureValidationFailed: no valid signature"))
			},
			reason: "SignatureValidationFailed", message: `image pull failed for app:1 because the signature validation failed: no valid signature`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rt := kubelettest.NewRuntime()
			if tt.setup != nil {
				tt.setup(rt)
			}
			var store pullpolicy.Store = rt
			if tt.store != nil {
				store = tt.store
			}
			clock := kubelettest.NewClock(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
			m, err := kubelet.NewImageManager(kubelet.Config{Store: store, Puller: rt, Now: clock.Now})
			require.NoError(t, err)
			p := pod(nil, []corev1.Container{{Name: "app", Image: tt.image, ImagePullPolicy: tt.policy}})
			ensure := func(ctx context.Context, s podstatus.Step) (kubelet.Result, error) {
				return m.EnsureImageExists(ctx, s.Request(p))
			}
			cache := podstatus.NewReasonCache(0)
			var r podstatus.SyncResult
			for range max(tt.syncs, 1) {
				r = podstatus.Sync(context.Background(), p, nil, ensure)
				cache.Update(p.UID, &r)
			}
			_, statuses, _ := podstatus.ContainerStatuses(p, cache, podstatus.StatusOptions{})
			require.Len(t, statuses, 1)
			assert.Equal(t, corev1.ContainerStatus{
				Name: "app", Image: tt.image, Started: new(false),
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: tt.reason, Message: tt.message}},
			}, statuses[0])
			require.Len(t, r.Events, 1)
			assert.Equal(t, kubelet.Event{Type: "Warning", Reason: "Failed", Message: "Error: " + tt.reason, FieldPath: "spec.containers{app}"}, r.Events[0])
			s := podstatus.PodStatus(p, cache, podstatus.StatusOptions{})
			assert.Equal(t, corev1.PodPending, s.Phase)
		})
	}
}
