package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/pullpolicytest"
)

// TestPlanner: the planner gives the image manager's answers and events without pulling, and
// with pull records it says whether KEP-2535 lets the pod use a present image.
func TestPlanner(t *testing.T) {
	ctx := t.Context()
	// A node where the kubelet pulled a private image with shop/team-pull, and nginx:1.25
	// was preloaded.
	rt := kubelettest.NewRuntime("nginx:1.25")
	rt.Private("registry.example/team/app", credential.Credential{Username: "team", Password: "s3cret"})
	records := pullmanager.NewMemoryRecords()
	kubeletOnNode, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records})
	require.NoError(t, err)
	secret := pullSecret(t, "shop", "team-pull", "uid-1", "registry.example", "team", "s3cret")
	_, err = kubeletOnNode.EnsureImageExists(ctx, kubelet.Request{Pod: kubelet.Pod{Namespace: "shop", Name: "a", UID: "1"},
		Container: "app", Image: "registry.example/team/app:v1", PullSecrets: []credential.Secret{secret}})
	require.NoError(t, err)
	pulls := len(rt.Pulls())
	recordsBefore, err := records.ListPulledRecords()
	require.NoError(t, err)

	const dgst = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	resolver := pullpolicytest.NewResolver(map[string]string{"registry.example/team/app:v1": dgst, "redis:7": dgst})
	pod := kubelet.Pod{Namespace: "shop", Name: "b", UID: "2"}
	for _, tc := range []struct {
		name     string
		req      kubelet.Request
		resolver bool
		action   pullpolicy.Action
		events   []kubelet.Event
		pullRef  string
		waiting  *waitingJSON
		refused  bool
	}{
		{"absent, IfNotPresent: pull", kubelet.Request{Pod: pod, Container: "c", Image: "redis:7", Policy: pullpolicy.IfNotPresent},
			false, pullpolicy.Pull, []kubelet.Event{{Type: "Normal", Reason: "Pulling", Message: `Pulling image "redis:7"`, FieldPath: "spec.containers{c}"}},
			"redis:7", nil, false},
		{"preloaded: every pod may use it", kubelet.Request{Pod: pod, Container: "c", Kind: kubelet.KindInitContainer, Image: "nginx:1.25", Policy: pullpolicy.IfNotPresent},
			false, pullpolicy.UseLocal, []kubelet.Event{{Type: "Normal", Reason: "Pulled",
				Message: `Container image "nginx:1.25" already present on machine and can be accessed by the pod`, FieldPath: "spec.initContainers{c}"}},
			"", nil, false},
		{"pulled with a Secret, the pod has it", kubelet.Request{Pod: pod, Container: "c", Image: "registry.example/team/app:v1",
			Policy: pullpolicy.IfNotPresent, PullSecrets: []credential.Secret{secret}},
			false, pullpolicy.UseLocal, []kubelet.Event{{Type: "Normal", Reason: "Pulled",
				Message: `Container image "registry.example/team/app:v1" already present on machine and can be accessed by the pod`, FieldPath: "spec.containers{c}"}},
			"", nil, false},
		{"pulled with a Secret, the pod has none: it must pull", kubelet.Request{Pod: pod, Container: "c", Image: "registry.example/team/app:v1", Policy: pullpolicy.IfNotPresent},
			false, pullpolicy.Pull, []kubelet.Event{{Type: "Normal", Reason: "Pulling", Message: `Pulling image "registry.example/team/app:v1"`, FieldPath: "spec.containers{c}"}},
			"registry.example/team/app:v1", nil, true},
		{"pulled with a Secret, Never, the pod has none", kubelet.Request{Pod: pod, Container: "c", Image: "registry.example/team/app:v1", Policy: pullpolicy.Never},
			false, pullpolicy.Fail, []kubelet.Event{{Type: "Warning", Reason: "ErrImageNeverPull",
				Message: `Container image "registry.example/team/app:v1" is not present with pull policy of Never`, FieldPath: "spec.containers{c}"}},
			"", &waitingJSON{Reason: "ErrImageNeverPull", Message: `Container image "registry.example/team/app:v1" is not present with pull policy of Never`}, true},
		{"Always without a registry: the tag-defaulted name", kubelet.Request{Pod: pod, Container: "c", Image: "nginx", Policy: pullpolicy.Always},
			false, pullpolicy.Pull, []kubelet.Event{{Type: "Normal", Reason: "Pulling", Message: `Pulling image "nginx"`, FieldPath: "spec.containers{c}"}},
			"nginx:latest", nil, false},
		{"Always with a registry: pinned", kubelet.Request{Pod: pod, Container: "c", Image: "redis:7", Policy: pullpolicy.Always},
			true, pullpolicy.Pull, []kubelet.Event{{Type: "Normal", Reason: "Pulling", Message: `Pulling image "redis:7"`, FieldPath: "spec.containers{c}"}},
			"redis@" + dgst, nil, false},
		{"an invalid name", kubelet.Request{Pod: pod, Container: "c", Image: "Redis"},
			false, pullpolicy.Fail, []kubelet.Event{{Type: "Warning", Reason: "InspectFailed",
				Message: `Failed to apply default image tag "Redis": couldn't parse image name "Redis": invalid reference format: repository name (library/Redis) must be lowercase`, FieldPath: "spec.containers{c}"}},
			"", &waitingJSON{Reason: "InvalidImageName", Message: `Failed to apply default image tag "Redis": couldn't parse image name "Redis": invalid reference format: repository name (library/Redis) must be lowercase`}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := plannerConfig{store: rt, records: records}
			if tc.resolver {
				cfg.resolver = resolver
			}
			p, err := newPlanner(cfg)
			require.NoError(t, err)
			for range 2 { // a second ask is answered the same: no back-off, nothing remembered
				got, err := p.plan(ctx, tc.req)
				require.NoError(t, err)
				assert.Equal(t, tc.action, got.Action)
				assert.Equal(t, tc.events, got.Events)
				assert.Equal(t, tc.pullRef, got.PullRef)
				assert.Equal(t, tc.waiting, got.Waiting)
				assert.Equal(t, tc.refused, got.Refused)
				if tc.resolver {
					assert.Equal(t, dgst, got.Digest.String())
				}
			}
		})
	}
	assert.Len(t, rt.Pulls(), pulls, "the planner never pulls")
	recordsAfter, err := records.ListPulledRecords()
	require.NoError(t, err)
	assert.Equal(t, recordsBefore, recordsAfter, "the planner writes no record")
}
