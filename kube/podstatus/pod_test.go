package podstatus_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/kube/podstatus"
)

type cond struct {
	typ     corev1.PodConditionType
	status  corev1.ConditionStatus
	reason  string
	message string
}

func conds(cs []corev1.PodCondition) []cond {
	out := make([]cond, len(cs))
	for i, c := range cs {
		out[i] = cond{c.Type, c.Status, c.Reason, c.Message}
	}
	return out
}

func TestPodStatusWhileImagesFail(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		pod       *corev1.Pod
		out       map[string]outcome
		sandbox   bool
		wantPhase corev1.PodPhase
		want      []cond
	}{
		{
			name: "container image failing, no sandbox",
			pod:  pod(nil, []corev1.Container{ctr("app", "private:1"), ctr("web", "app:1")}),
			out:  map[string]outcome{"private:1": pullFailed},
			want: []cond{
				{corev1.PodReadyToStartContainers, corev1.ConditionFalse, "PodSandboxNotReady", "no pod sandbox exists"},
				{corev1.PodInitialized, corev1.ConditionTrue, "", ""},
				{corev1.PodReady, corev1.ConditionFalse, "ContainersNotReady", "containers with unready status: [app web]"},
				{corev1.ContainersReady, corev1.ConditionFalse, "ContainersNotReady", "containers with unready status: [app web]"},
				{corev1.PodScheduled, corev1.ConditionTrue, "", ""},
			},
			wantPhase: corev1.PodPending,
		},
		{
			name:    "init container failing, sandbox ready",
			pod:     pod([]corev1.Container{ctr("init", "absent:1"), sidecar("side", "s:1")}, []corev1.Container{ctr("app", "app:1")}),
			out:     map[string]outcome{"absent:1": neverPull},
			sandbox: true,
			want: []cond{
				{corev1.PodReadyToStartContainers, corev1.ConditionTrue, "", ""},
				{corev1.PodInitialized, corev1.ConditionFalse, "ContainersNotInitialized", "containers with incomplete status: [init side]"},
				{corev1.PodReady, corev1.ConditionFalse, "ContainersNotReady", "containers with unready status: [side app]"},
				{corev1.ContainersReady, corev1.ConditionFalse, "ContainersNotReady", "containers with unready status: [side app]"},
				{corev1.PodScheduled, corev1.ConditionTrue, "", ""},
			},
			wantPhase: corev1.PodPending,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeEnsure{out: tt.out}
			r := podstatus.Sync(context.Background(), tt.pod, nil, f.ensure)
			cache := podstatus.NewReasonCache(0)
			cache.Update(tt.pod.UID, &r)
			tt.pod.Generation = 3
			tt.pod.Status.QOSClass = corev1.PodQOSBestEffort
			tt.pod.Status.Conditions = []corev1.PodCondition{
				{Type: "example.com/gate", Status: corev1.ConditionTrue},
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now.Add(-time.Minute))},
			}
			s := podstatus.PodStatus(tt.pod, cache, podstatus.StatusOptions{SandboxReady: tt.sandbox, Now: now})
			assert.Equal(t, tt.wantPhase, s.Phase)
			assert.Equal(t, corev1.PodQOSBestEffort, s.QOSClass)
			require.NotNil(t, s.StartTime)
			assert.Equal(t, now, s.StartTime.Time)
			want := append([]cond{{"example.com/gate", corev1.ConditionTrue, "", ""}}, tt.want...)
			assert.Equal(t, want, conds(s.Conditions))
			for _, c := range s.Conditions[1:] {
				assert.Equal(t, int64(3), c.ObservedGeneration, "%s", c.Type)
				if c.Type == corev1.PodScheduled {
					assert.Equal(t, now.Add(-time.Minute), c.LastTransitionTime.Time, "unchanged status keeps its time")
				} else {
					assert.Equal(t, now, c.LastTransitionTime.Time, "%s", c.Type)
				}
			}
		})
	}
}

// The statuses the kubelet wrote before carry over: start time, the transition time of an
// unchanged condition, the reason of an unchanged phase; a terminal phase stays.
func TestPodStatusKeepsPrevious(t *testing.T) {
	t.Parallel()
	start := metav1.NewTime(time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC))
	changed := metav1.NewTime(time.Date(2026, 12, 4, 22, 30, 0, 0, time.UTC))
	now := time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)
	p := pod(nil, []corev1.Container{ctr("app", "private:1")})
	prev := &corev1.PodStatus{
		Phase: corev1.PodPending, Reason: "SomeReason", StartTime: &start,
		Conditions: []corev1.PodCondition{
			{Type: corev1.ContainersReady, Status: corev1.ConditionFalse, LastTransitionTime: changed},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: changed},
		},
	}
	s := podstatus.PodStatus(p, podstatus.NewReasonCache(0), podstatus.StatusOptions{Previous: prev, Now: now})
	assert.Equal(t, start, *s.StartTime)
	assert.Equal(t, "SomeReason", s.Reason)
	for _, c := range s.Conditions {
		switch c.Type {
		case corev1.ContainersReady:
			assert.Equal(t, changed, c.LastTransitionTime, "False stays False")
		case corev1.PodReady:
			assert.Equal(t, now, c.LastTransitionTime.Time, "True became False")
		}
	}
	prev.Phase = corev1.PodFailed
	s = podstatus.PodStatus(p, podstatus.NewReasonCache(0), podstatus.StatusOptions{Previous: prev, Now: now})
	assert.Equal(t, corev1.PodFailed, s.Phase)
}
