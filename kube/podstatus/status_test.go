package podstatus_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/kube/podstatus"
)

func waiting(reason, msg string) corev1.ContainerState {
	return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}
}

func states(ss []corev1.ContainerStatus) map[string]corev1.ContainerState {
	out := map[string]corev1.ContainerState{}
	for _, s := range ss {
		out[s.Name] = s.State
	}
	return out
}

// A pod is synced once with the fake ensure, the reason cache updated, and the statuses built:
// what each container shows.
func TestSyncThenStatuses(t *testing.T) {
	t.Parallel()
	inits := []corev1.Container{ctr("init1", "private:1"), ctr("init2", "app:1")}
	tests := []struct {
		name      string
		pod       *corev1.Pod
		started   podstatus.Started
		runtime   map[string]corev1.ContainerStatus
		out       map[string]outcome
		wantInit  map[string]corev1.ContainerState
		wantMain  map[string]corev1.ContainerState
		wantOrder []string // ContainerStatuses names
	}{
		{
			name:      "no init: the failing container waits with the reason, the other ContainerCreating",
			pod:       pod(nil, []corev1.Container{ctr("web", "app:1"), ctr("auth", "private:1")}),
			out:       map[string]outcome{"private:1": pullFailed},
			wantInit:  map[string]corev1.ContainerState{},
			wantMain:  map[string]corev1.ContainerState{"web": waiting("ContainerCreating", ""), "auth": waiting("ErrImagePull", pullFailed.msg)},
			wantOrder: []string{"auth", "web"},
		},
		{
			name:      "init container failing: later init and main containers show PodInitializing",
			pod:       pod(inits, []corev1.Container{ctr("app", "app:1")}),
			out:       map[string]outcome{"private:1": backOff},
			wantInit:  map[string]corev1.ContainerState{"init1": waiting("ImagePullBackOff", backOff.msg), "init2": waiting("PodInitializing", "")},
			wantMain:  map[string]corev1.ContainerState{"app": waiting("PodInitializing", "")},
			wantOrder: []string{"app"},
		},
		{
			name:    "init1 completed, init2 never pulled",
			pod:     pod([]corev1.Container{ctr("init1", "app:1"), ctr("init2", "absent:1")}, []corev1.Container{ctr("app", "app:1")}),
			started: startedSet("init1"),
			runtime: map[string]corev1.ContainerStatus{"init1": {Name: "init1", Image: "app:1", ImageID: "sha256:app:1",
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}}},
			out: map[string]outcome{"absent:1": neverPull},
			wantInit: map[string]corev1.ContainerState{
				"init1": {Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}},
				"init2": waiting("ErrImageNeverPull", neverPull.msg),
			},
			wantMain:  map[string]corev1.ContainerState{"app": waiting("PodInitializing", "")},
			wantOrder: []string{"app"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeEnsure{out: tt.out}
			r := podstatus.Sync(context.Background(), tt.pod, tt.started, f.ensure)
			cache := podstatus.NewReasonCache(0)
			cache.Update(tt.pod.UID, &r)
			initS, mainS, eph := podstatus.ContainerStatuses(tt.pod, cache, podstatus.StatusOptions{Runtime: tt.runtime})
			assert.Empty(t, eph)
			assert.Equal(t, tt.wantInit, states(initS))
			assert.Equal(t, tt.wantMain, states(mainS))
			var order []string
			for _, s := range mainS {
				order = append(order, s.Name)
				assert.Empty(t, s.ImageID, "a waiting container has no image ID")
				require.NotNil(t, s.Started)
				assert.False(t, *s.Started)
				assert.False(t, s.Ready)
			}
			assert.Equal(t, tt.wantOrder, order)
			for i, s := range initS {
				assert.Equal(t, tt.pod.Spec.InitContainers[i].Name, s.Name, "init statuses in spec order")
				assert.Equal(t, tt.pod.Spec.InitContainers[i].Image, s.Image)
			}
		})
	}
}

// A successful start removes the container's reason; a deleted pod shows no reason.
func TestStatusesReasonLifecycle(t *testing.T) {
	t.Parallel()
	p := pod(nil, []corev1.Container{ctr("app", "private:1")})
	cache := podstatus.NewReasonCache(0)
	f := &fakeEnsure{out: map[string]outcome{"private:1": pullFailed}}
	r := podstatus.Sync(context.Background(), p, nil, f.ensure)
	cache.Update(p.UID, &r)
	_, mainS, _ := podstatus.ContainerStatuses(p, cache, podstatus.StatusOptions{})
	assert.Equal(t, waiting("ErrImagePull", pullFailed.msg), mainS[0].State)

	deleted := p.DeepCopy()
	deleted.DeletionTimestamp = &metav1.Time{}
	_, mainS, _ = podstatus.ContainerStatuses(deleted, cache, podstatus.StatusOptions{})
	assert.Equal(t, waiting("ContainerCreating", ""), mainS[0].State)

	f.out = nil
	r = podstatus.Sync(context.Background(), p, nil, f.ensure)
	cache.Update(p.UID, &r)
	assert.Equal(t, 0, cache.Len())
	_, mainS, _ = podstatus.ContainerStatuses(p, cache, podstatus.StatusOptions{})
	assert.Equal(t, waiting("ContainerCreating", ""), mainS[0].State)
}

func TestReasonCacheLRU(t *testing.T) {
	t.Parallel()
	c := podstatus.NewReasonCache(2)
	c.Add("u", "a", podstatus.ReasonItem{Reason: "A"})
	c.Add("u", "b", podstatus.ReasonItem{Reason: "B"})
	_, ok := c.Get("u", "a") // a is now the most recently used
	require.True(t, ok)
	c.Add("u", "c", podstatus.ReasonItem{Reason: "C"})
	_, ok = c.Get("u", "b")
	assert.False(t, ok, "b was the least recently used")
	got, ok := c.Get("u", "a")
	assert.True(t, ok)
	assert.Equal(t, "A", got.Reason)
	_, ok = c.Get("v", "a")
	assert.False(t, ok, "keyed by pod UID too")
	c.Remove("u", "a")
	assert.Equal(t, 1, c.Len())
}
