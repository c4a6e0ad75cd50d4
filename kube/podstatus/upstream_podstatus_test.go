package podstatus_test

// Translations of the kubelet v1.37.2's tests of container statuses and the reason cache
// (k8s.io/kubernetes@v1.37.2/pkg/kubelet). Counts, by upstream test:
//
//   - reason_cache_test.go:26 TestReasonCache: 1 case, translated; its KillContainer result is
//     not expressible (a SyncResult here holds container starts only).
//   - kubelet_test.go:2113 TestGenerateAPIPodStatusWithSortedContainers: 1 case, translated.
//   - kubelet_test.go:2167 TestGenerateAPIPodStatusWithReasonCache: 4 cases × (containers, init
//     containers); 3 translated for both lists; the 4th ("unknown" container) is
//     convertContainerStatus's conversion of a runtime status, which the caller does here
//     (StatusOptions.Runtime holds API statuses): not expressible.
//   - kubelet_test.go:2388 TestGenerateAPIPodStatusWithDifferentRestartPolicies: 3 cases ×
//     (containers, init containers), all translated.
//   - kubelet_test.go:2538 TestGenerateAPIPodStatusWithContainerRestartPolicies: 5 cases, all
//     translated.
//   - kubelet_pods_test.go:3810 TestConvertToAPIContainerStatuses: 11 cases; 5 translated (no
//     current status with deletion, without deletion, keeping the restart count; init container
//     lost after initialization; sidecar lost after initialization); 6 not expressible: the
//     "currently running with lower restartCount" case and the five RestartAllContainers cases
//     need the RestartAllContainersOnContainerExits gate, off by default, which this package does
//     not model.
//   - kubelet_pods_test.go:4240 TestConvertToAPIContainerStatusesWithImageVolumeDigest,
//     :6628 …DataRace, :6659 …ForResources, :7135 …ForUser: not about images waiting (image
//     volume digests need the alpha ImageVolumeWithDigest gate; resources and users are
//     runtime fields): not translated.
//
// The runtime's statuses (kubecontainer.Status) of upstream are given here already converted
// to the API form, as a caller's provider reports them: the latest container's state, and
// the one before as the last termination state. Upstream compares what the kubelet's
// convertToAPIContainerStatuses returns, before its prober sets Started and Ready; here the
// prober's part is included, so the expected statuses carry Started (false) and, for a
// completed init container, Ready (true).

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/imagepull/imagepull/kube/podstatus"
)

// emptyContainerID is (&kubecontainer.ContainerID{}).String().
const emptyContainerID = "://"

func terminated(code int32) corev1.ContainerState {
	return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, ContainerID: emptyContainerID}}
}

// exited is the API status of a container whose latest run exited with code and the run
// before with prev, as convertToAPIContainerStatuses makes it from two runtime records.
func exited(name string, code, prev int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: terminated(code), LastTerminationState: terminated(prev)}
}

func reasonCacheWith(uid types.UID, names ...string) *podstatus.ReasonCache {
	c := podstatus.NewReasonCache(0)
	for _, n := range names {
		c.Add(uid, n, podstatus.ReasonItem{Reason: "test-error"})
	}
	return c
}

func verifyStatuses(t *testing.T, statuses []corev1.ContainerStatus, state, last map[string]corev1.ContainerState, msg string) {
	t.Helper()
	for _, s := range statuses {
		assert.Equal(t, state[s.Name], s.State, "%s: state of %s", msg, s.Name)
		assert.Equal(t, last[s.Name], s.LastTerminationState, "%s: last termination state of %s", msg, s.Name)
	}
}

func upstreamPod() *corev1.Pod {
	p := &corev1.Pod{}
	p.UID, p.Name, p.Namespace = "12345678", "foo", "new"
	return p
}

func TestUpstreamReasonCache(t *testing.T) {
	t.Parallel()
	errRun := fmt.Errorf("RunContainerError")
	r := podstatus.SyncResult{Starts: []podstatus.Start{
		{Step: podstatus.Step{Name: "container_1"}, Err: errRun, Reason: errRun.Error(), Message: "message_1"},
		{Step: podstatus.Step{Name: "container_2"}},
	}}
	uid := types.UID("pod_1")
	cache := podstatus.NewReasonCache(0)
	cache.Update(uid, &r)
	got, ok := cache.Get(uid, "container_1")
	require.True(t, ok)
	assert.Equal(t, podstatus.ReasonItem{Reason: "RunContainerError", Message: "message_1"}, got)
	_, ok = cache.Get(uid, "container_2")
	assert.False(t, ok)
	cache.Remove(uid, "container_1")
	_, ok = cache.Get(uid, "container_1")
	assert.False(t, ok)
}

func TestUpstreamGenerateAPIPodStatusWithSortedContainers(t *testing.T) {
	t.Parallel()
	p := upstreamPod()
	runtime := map[string]corev1.ContainerStatus{}
	var want []string
	for i := range 10 {
		name := fmt.Sprintf("%dcontainer", i)
		want = append(want, name)
		// Spec order rearranged as upstream rearranges the runtime's.
		if i%2 == 0 {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: name})
		} else {
			p.Spec.Containers = append([]corev1.Container{{Name: name}}, p.Spec.Containers...)
		}
		runtime[name] = corev1.ContainerStatus{Name: name, ContainerID: "test://" + fmt.Sprint(i), State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}}
	}
	for range 5 {
		_, statuses, _ := podstatus.ContainerStatuses(p, podstatus.NewReasonCache(0), podstatus.StatusOptions{Runtime: runtime})
		var got []string
		for _, s := range statuses {
			got = append(got, s.Name)
		}
		require.Equal(t, want, got)
	}
}

func TestUpstreamGenerateAPIPodStatusWithReasonCache(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		containers  []corev1.Container
		runtime     map[string]corev1.ContainerStatus
		reasons     []string
		oldStatuses []corev1.ContainerStatus
		state       map[string]corev1.ContainerState
		initState   map[string]corev1.ContainerState // when different from state
		last        map[string]corev1.ContainerState
	}{
		{
			name:       "no historical record: waiting, last termination state from the old status",
			containers: []corev1.Container{{Name: "without-old-record"}, {Name: "with-old-record"}},
			oldStatuses: []corev1.ContainerStatus{{
				Name: "with-old-record", LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{}},
			}},
			state: map[string]corev1.ContainerState{
				"without-old-record": waiting(podstatus.ReasonContainerCreating, ""),
				"with-old-record":    waiting(podstatus.ReasonContainerCreating, ""),
			},
			initState: map[string]corev1.ContainerState{
				"without-old-record": waiting(podstatus.ReasonPodInitializing, ""),
				"with-old-record":    waiting(podstatus.ReasonPodInitializing, ""),
			},
			last: map[string]corev1.ContainerState{"with-old-record": {Terminated: &corev1.ContainerStateTerminated{}}},
		},
		{
			name:       "running: running, last termination state from the latest terminated run",
			containers: []corev1.Container{{Name: "running"}},
			runtime: map[string]corev1.ContainerStatus{"running": {
				Name:                 "running",
				State:                corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Unix(123456789, 987654321)}},
				LastTerminationState: terminated(1),
			}},
			state: map[string]corev1.ContainerState{"running": {Running: &corev1.ContainerStateRunning{StartedAt: metav1.Unix(123456789, 987654321)}}},
			last:  map[string]corev1.ContainerState{"running": terminated(1)},
		},
		{
			name:       "terminated: a start error turns it to waiting, unless it is not restarted",
			containers: []corev1.Container{{Name: "without-reason"}, {Name: "with-reason"}},
			runtime: map[string]corev1.ContainerStatus{
				"without-reason": exited("without-reason", 1, 3),
				"with-reason":    exited("with-reason", 2, 4),
				"succeed":        exited("succeed", 0, 5), // not in the spec: ignored
			},
			reasons: []string{"with-reason", "succeed"},
			state: map[string]corev1.ContainerState{
				"without-reason": terminated(1),
				"with-reason":    waiting("test-error", ""),
			},
			last: map[string]corev1.ContainerState{
				"without-reason": terminated(3),
				"with-reason":    terminated(2),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := upstreamPod()
			p.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
			p.Spec.Containers = tt.containers
			p.Status.ContainerStatuses = tt.oldStatuses
			_, statuses, _ := podstatus.ContainerStatuses(p, reasonCacheWith(p.UID, tt.reasons...), podstatus.StatusOptions{Runtime: tt.runtime})
			require.Len(t, statuses, len(tt.containers))
			verifyStatuses(t, statuses, tt.state, tt.last, "containers")

			// Everything should be the same for init containers.
			p = upstreamPod()
			p.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
			p.Spec.InitContainers = tt.containers
			p.Status.InitContainerStatuses = tt.oldStatuses
			initS, _, _ := podstatus.ContainerStatuses(p, reasonCacheWith(p.UID, tt.reasons...), podstatus.StatusOptions{Runtime: tt.runtime})
			require.Len(t, initS, len(tt.containers))
			state := tt.state
			if tt.initState != nil {
				state = tt.initState
			}
			verifyStatuses(t, initS, state, tt.last, "init containers")
		})
	}
}

func TestUpstreamGenerateAPIPodStatusWithDifferentRestartPolicies(t *testing.T) {
	t.Parallel()
	runtime := map[string]corev1.ContainerStatus{"succeed": exited("succeed", 0, 2), "failed": exited("failed", 1, 3)}
	containers := []corev1.Container{{Name: "succeed"}, {Name: "failed"}}
	tests := []struct {
		policy              corev1.RestartPolicy
		state, last         map[string]corev1.ContainerState
		initState, initLast map[string]corev1.ContainerState
	}{
		{
			policy: corev1.RestartPolicyNever,
			state:  map[string]corev1.ContainerState{"succeed": terminated(0), "failed": terminated(1)},
			last:   map[string]corev1.ContainerState{"succeed": terminated(2), "failed": terminated(3)},
		},
		{
			policy: corev1.RestartPolicyOnFailure,
			state:  map[string]corev1.ContainerState{"succeed": terminated(0), "failed": waiting("test-error", "")},
			last:   map[string]corev1.ContainerState{"succeed": terminated(2), "failed": terminated(1)},
		},
		{
			policy: corev1.RestartPolicyAlways,
			state:  map[string]corev1.ContainerState{"succeed": waiting("test-error", ""), "failed": waiting("test-error", "")},
			last:   map[string]corev1.ContainerState{"succeed": terminated(0), "failed": terminated(1)},
			// An init container that exited 0 is not restarted, even under Always.
			initState: map[string]corev1.ContainerState{"succeed": terminated(0), "failed": waiting("test-error", "")},
			initLast:  map[string]corev1.ContainerState{"succeed": terminated(2), "failed": terminated(1)},
		},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			t.Parallel()
			p := upstreamPod()
			p.Spec.RestartPolicy = tt.policy
			p.Spec.Containers = containers
			cache := reasonCacheWith(p.UID, "succeed", "failed")
			_, statuses, _ := podstatus.ContainerStatuses(p, cache, podstatus.StatusOptions{Runtime: runtime})
			verifyStatuses(t, statuses, tt.state, tt.last, "containers")

			p.Spec.Containers, p.Spec.InitContainers = nil, containers
			initS, _, _ := podstatus.ContainerStatuses(p, cache, podstatus.StatusOptions{Runtime: runtime})
			state, last := tt.state, tt.last
			if tt.initState != nil {
				state, last = tt.initState, tt.initLast
			}
			require.Len(t, initS, 2)
			verifyStatuses(t, initS, state, last, "init containers")
		})
	}
}

func TestUpstreamGenerateAPIPodStatusWithContainerRestartPolicies(t *testing.T) {
	t.Parallel()
	never, onFailure, always := corev1.ContainerRestartPolicyNever, corev1.ContainerRestartPolicyOnFailure, corev1.ContainerRestartPolicyAlways
	runtime := map[string]corev1.ContainerStatus{"succeed": exited("succeed", 0, 2), "failed": exited("failed", 1, 3)}
	rule := func(code int32) []corev1.ContainerRestartRule {
		return []corev1.ContainerRestartRule{{
			Action:    corev1.ContainerRestartRuleActionRestart,
			ExitCodes: &corev1.ContainerRestartRuleOnExitCodes{Operator: corev1.ContainerRestartRuleOnExitCodesOpIn, Values: []int32{code}},
		}}
	}
	tests := []struct {
		desc        string
		containers  []corev1.Container
		state, last map[string]corev1.ContainerState
	}{
		{
			desc:       "container restart policy rules match",
			containers: []corev1.Container{{Name: "failed", RestartPolicy: &never, RestartPolicyRules: rule(1)}},
			state:      map[string]corev1.ContainerState{"failed": waiting("test-error", "")},
			last:       map[string]corev1.ContainerState{"failed": terminated(1)},
		},
		{
			desc:       "container restart policy rules not match",
			containers: []corev1.Container{{Name: "failed", RestartPolicy: &never, RestartPolicyRules: rule(2)}},
			state:      map[string]corev1.ContainerState{"failed": terminated(1)},
			last:       map[string]corev1.ContainerState{"failed": terminated(3)},
		},
		{
			desc:       "container restart policy never",
			containers: []corev1.Container{{Name: "succeed", RestartPolicy: &never}, {Name: "failed", RestartPolicy: &never}},
			state:      map[string]corev1.ContainerState{"succeed": terminated(0), "failed": terminated(1)},
			last:       map[string]corev1.ContainerState{"succeed": terminated(2), "failed": terminated(3)},
		},
		{
			desc:       "container restart policy OnFailure",
			containers: []corev1.Container{{Name: "succeed", RestartPolicy: &onFailure}, {Name: "failed", RestartPolicy: &onFailure}},
			state:      map[string]corev1.ContainerState{"succeed": terminated(0), "failed": waiting("test-error", "")},
			last:       map[string]corev1.ContainerState{"succeed": terminated(2), "failed": terminated(1)},
		},
		{
			desc:       "container restart policy Always",
			containers: []corev1.Container{{Name: "succeed", RestartPolicy: &always}, {Name: "failed", RestartPolicy: &always}},
			state:      map[string]corev1.ContainerState{"succeed": waiting("test-error", ""), "failed": waiting("test-error", "")},
			last:       map[string]corev1.ContainerState{"succeed": terminated(0), "failed": terminated(1)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			p := upstreamPod()
			p.Spec.RestartPolicy = corev1.RestartPolicyAlways
			p.Spec.Containers = tt.containers
			_, statuses, _ := podstatus.ContainerStatuses(p, reasonCacheWith(p.UID, "succeed", "failed"), podstatus.StatusOptions{Runtime: runtime})
			require.Len(t, statuses, len(tt.containers))
			verifyStatuses(t, statuses, tt.state, tt.last, tt.desc)
		})
	}
}

func runningState(name string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func failedState(name string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: -1}}}
}

func waitingWithLastTerminationUnknown(name string, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name:  name,
		State: waiting(podstatus.ReasonContainerCreating, ""),
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			Reason:   podstatus.ReasonStatusUnknown,
			Message:  "The container could not be located when the pod was deleted.  The container used to be Running",
			ExitCode: 137,
		}},
		RestartCount: restarts,
	}
}

func withRestartCount(s corev1.ContainerStatus, n int32) corev1.ContainerStatus {
	s.RestartCount = n
	return s
}

func TestUpstreamConvertToAPIContainerStatuses(t *testing.T) {
	t.Parallel()
	now := metav1.Now()
	main := []corev1.Container{{Name: "containerA"}, {Name: "containerB"}}
	sidecarPolicy := corev1.ContainerRestartPolicyAlways
	runningA := map[string]corev1.ContainerStatus{"containerA": {
		Name: "containerA", ContainerID: "://foo",
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Unix(1, 0)}},
	}}
	notStarted := func(s corev1.ContainerStatus) corev1.ContainerStatus { s.Started = new(false); return s }
	tests := []struct {
		name     string
		pod      *corev1.Pod
		previous []corev1.ContainerStatus
		runtime  map[string]corev1.ContainerStatus
		isInit   bool
		expected []corev1.ContainerStatus
	}{
		{
			name: "no current status, with previous statuses and deletion",
			pod: &corev1.Pod{
				Spec:       corev1.PodSpec{Containers: main, RestartPolicy: corev1.RestartPolicyAlways},
				ObjectMeta: metav1.ObjectMeta{Name: "my-pod", DeletionTimestamp: &now},
			},
			previous: []corev1.ContainerStatus{runningState("containerA"), runningState("containerB")},
			expected: []corev1.ContainerStatus{waitingWithLastTerminationUnknown("containerA", 0), waitingWithLastTerminationUnknown("containerB", 0)},
		},
		{
			name:     "no current status, with previous statuses and no deletion",
			pod:      &corev1.Pod{Spec: corev1.PodSpec{Containers: main, RestartPolicy: corev1.RestartPolicyAlways}},
			previous: []corev1.ContainerStatus{runningState("containerA"), runningState("containerB")},
			expected: []corev1.ContainerStatus{waitingWithLastTerminationUnknown("containerA", 1), waitingWithLastTerminationUnknown("containerB", 1)},
		},
		{
			name:     "no current status, keeping previous restartCount",
			pod:      &corev1.Pod{Spec: corev1.PodSpec{Containers: main, RestartPolicy: corev1.RestartPolicyAlways}},
			previous: []corev1.ContainerStatus{withRestartCount(failedState("containerA"), 5), withRestartCount(failedState("containerB"), 5)},
			expected: []corev1.ContainerStatus{withRestartCount(failedState("containerA"), 5), withRestartCount(failedState("containerB"), 5)},
		},
		{
			name: "Unable to get init container status from container runtime and pod has been initialized, treat it as exited normally",
			pod: &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: "my-pod"},
				Spec:       corev1.PodSpec{InitContainers: []corev1.Container{{Name: "init-1"}}, Containers: main[:1], RestartPolicy: corev1.RestartPolicyAlways},
			},
			runtime: runningA,
			isInit:  true,
			expected: []corev1.ContainerStatus{{
				Name: "init-1",
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					Reason:  "Completed",
					Message: "Unable to get init container status from container runtime and pod has been initialized, treat it as exited normally",
				}},
				Ready: true, // the prober's, for an init container that exited 0
			}},
		},
		{
			name: "Unable to get sidecar container status from container runtime and pod has been initialized, sidecar container should be waiting",
			pod: &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: "my-pod"},
				Spec: corev1.PodSpec{
					InitContainers: []corev1.Container{{Name: "sidecar-1", RestartPolicy: &sidecarPolicy}},
					Containers:     main[:1], RestartPolicy: corev1.RestartPolicyAlways,
				},
			},
			runtime:  runningA,
			isInit:   true,
			expected: []corev1.ContainerStatus{{Name: "sidecar-1", State: waiting(podstatus.ReasonPodInitializing, "")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			prev := &corev1.PodStatus{ContainerStatuses: tt.previous}
			if tt.isInit {
				prev = &corev1.PodStatus{InitContainerStatuses: tt.previous}
			}
			initS, statuses, _ := podstatus.ContainerStatuses(tt.pod, podstatus.NewReasonCache(0), podstatus.StatusOptions{Previous: prev, Runtime: tt.runtime})
			got := statuses
			if tt.isInit {
				got = initS
			}
			require.Len(t, got, len(tt.expected))
			for i := range tt.expected {
				assert.Equal(t, notStarted(tt.expected[i]), got[i])
			}
		})
	}
}
