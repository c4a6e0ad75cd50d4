package podstatus

// Translations of the kubelet v1.37.2's tests of the pod conditions it generates
// (k8s.io/kubernetes@v1.37.2/pkg/kubelet/status/generate_test.go), run on this package's
// conditions:
//
//   - :40 TestGenerateContainersReadyCondition, :201 TestGeneratePodReadyCondition, :399
//     TestGeneratePodInitializedCondition: every case translated, the tables kept as upstream
//     writes them (v1 renamed corev1).
//   - :583 TestGeneratePodReadyToStartContainersCondition: not translated; it depends on the
//     runtime's sandbox statuses, which StatusOptions.SandboxReady sums up.
//   - :718 TestGenerateAllContainersRestartingCondition: not translated (its gate is off by
//     default).
//
// The helpers are upstream's (generate_test.go:843-877).

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
)

// The reasons as status/generate.go names them.
const (
	UnknownContainerStatuses = "UnknownContainerStatuses"
	PodCompleted             = "PodCompleted"
	PodFailed                = "PodFailed"
	ContainersNotReady       = ReasonContainersNotReady
	ContainersNotInitialized = ReasonContainersNotInitialized
	ReadinessGatesNotReady   = ReasonReadinessGatesNotReady
)

// The functions under upstream's names; the previous status is empty in every case.
func GenerateContainersReadyCondition(pod *corev1.Pod, _ *corev1.PodStatus, statuses []corev1.ContainerStatus, phase corev1.PodPhase) corev1.PodCondition {
	return containersReadyCondition(pod, statuses, phase)
}

func GeneratePodReadyCondition(pod *corev1.Pod, _ *corev1.PodStatus, conds []corev1.PodCondition, statuses []corev1.ContainerStatus, phase corev1.PodPhase) corev1.PodCondition {
	return podReady(pod, containersReadyCondition(pod, statuses, phase), conds)
}

func GeneratePodInitializedCondition(pod *corev1.Pod, _ *corev1.PodStatus, statuses []corev1.ContainerStatus, phase corev1.PodPhase) corev1.PodCondition {
	return initialized(pod, statuses, phase)
}

func getPodCondition(conditionType corev1.PodConditionType, status corev1.ConditionStatus, reason, message string) corev1.PodCondition {
	return corev1.PodCondition{
		Type:    conditionType,
		Status:  status,
		Reason:  reason,
		Message: message,
	}
}

func getReadyStatus(cName string) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name:  cName,
		Ready: true,
	}
}

func getNotReadyStatus(cName string) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name:  cName,
		Ready: false,
	}
}

func getStartedStatus(cName string) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name:    cName,
		Started: new(true),
	}
}

func getNotStartedStatus(cName string) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name:    cName,
		Started: new(false),
	}
}

func TestUpstreamGenerateContainersReadyCondition(t *testing.T) {
	tests := []struct {
		spec              corev1.PodSpec
		containerStatuses []corev1.ContainerStatus
		podPhase          corev1.PodPhase
		expectReady       corev1.PodCondition
	}{
		{
			spec:              corev1.PodSpec{},
			containerStatuses: nil,
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.ContainersReady, corev1.ConditionFalse, UnknownContainerStatuses, ""),
		},
		{
			spec:              corev1.PodSpec{},
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.ContainersReady, corev1.ConditionTrue, "", ""),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
				},
			},
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.ContainersReady, corev1.ConditionFalse, ContainersNotReady, "containers with unknown status: [1234]"),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
					{Name: "5678"},
				},
			},
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("1234"),
				getReadyStatus("5678"),
			},
			podPhase:    corev1.PodRunning,
			expectReady: getPodCondition(corev1.ContainersReady, corev1.ConditionTrue, "", ""),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
					{Name: "5678"},
				},
			},
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("1234"),
			},
			podPhase:    corev1.PodRunning,
			expectReady: getPodCondition(corev1.ContainersReady, corev1.ConditionFalse, ContainersNotReady, "containers with unknown status: [5678]"),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
					{Name: "5678"},
				},
			},
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("1234"),
				getNotReadyStatus("5678"),
			},
			podPhase:    corev1.PodRunning,
			expectReady: getPodCondition(corev1.ContainersReady, corev1.ConditionFalse, ContainersNotReady, "containers with unready status: [5678]"),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
				},
			},
			containerStatuses: []corev1.ContainerStatus{
				getNotReadyStatus("1234"),
			},
			podPhase:    corev1.PodSucceeded,
			expectReady: getPodCondition(corev1.ContainersReady, corev1.ConditionFalse, PodCompleted, ""),
		},
		{
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{
					{Name: "restartable-init-1", RestartPolicy: &containerRestartPolicyAlways},
				},
				Containers: []corev1.Container{
					{Name: "regular-1"},
				},
			},
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("regular-1"),
			},
			podPhase:    corev1.PodRunning,
			expectReady: getPodCondition(corev1.ContainersReady, corev1.ConditionFalse, ContainersNotReady, "containers with unknown status: [restartable-init-1]"),
		},
		{
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{
					{Name: "restartable-init-1", RestartPolicy: &containerRestartPolicyAlways},
					{Name: "restartable-init-2", RestartPolicy: &containerRestartPolicyAlways},
				},
				Containers: []corev1.Container{
					{Name: "regular-1"},
				},
			},
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("restartable-init-1"),
				getReadyStatus("restartable-init-2"),
				getReadyStatus("regular-1"),
			},
			podPhase:    corev1.PodRunning,
			expectReady: getPodCondition(corev1.ContainersReady, corev1.ConditionTrue, "", ""),
		},
		{
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{
					{Name: "restartable-init-1", RestartPolicy: &containerRestartPolicyAlways},
					{Name: "restartable-init-2", RestartPolicy: &containerRestartPolicyAlways},
				},
				Containers: []corev1.Container{
					{Name: "regular-1"},
				},
			},
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("restartable-init-1"),
				getReadyStatus("regular-1"),
			},
			podPhase:    corev1.PodRunning,
			expectReady: getPodCondition(corev1.ContainersReady, corev1.ConditionFalse, ContainersNotReady, "containers with unknown status: [restartable-init-2]"),
		},
		{
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{
					{Name: "restartable-init-1", RestartPolicy: &containerRestartPolicyAlways},
					{Name: "restartable-init-2", RestartPolicy: &containerRestartPolicyAlways},
				},
				Containers: []corev1.Container{
					{Name: "regular-1"},
				},
			},
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("restartable-init-1"),
				getNotReadyStatus("restartable-init-2"),
				getReadyStatus("regular-1"),
			},
			podPhase:    corev1.PodRunning,
			expectReady: getPodCondition(corev1.ContainersReady, corev1.ConditionFalse, ContainersNotReady, "containers with unready status: [restartable-init-2]"),
		},
	}

	for i, test := range tests {
		pod := &corev1.Pod{Spec: test.spec}
		ready := GenerateContainersReadyCondition(pod, &corev1.PodStatus{}, test.containerStatuses, test.podPhase)
		assert.Equal(t, test.expectReady, ready, "test case %v", i)
	}
}

func TestUpstreamGeneratePodReadyCondition(t *testing.T) {
	tests := []struct {
		spec              corev1.PodSpec
		conditions        []corev1.PodCondition
		containerStatuses []corev1.ContainerStatus
		podPhase          corev1.PodPhase
		expectReady       corev1.PodCondition
	}{
		{
			spec:              corev1.PodSpec{},
			conditions:        nil,
			containerStatuses: nil,
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.PodReady, corev1.ConditionFalse, UnknownContainerStatuses, ""),
		},
		{
			spec:              corev1.PodSpec{},
			conditions:        nil,
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.PodReady, corev1.ConditionTrue, "", ""),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
				},
			},
			conditions:        nil,
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.PodReady, corev1.ConditionFalse, ContainersNotReady, "containers with unknown status: [1234]"),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
					{Name: "5678"},
				},
			},
			conditions: nil,
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("1234"),
				getReadyStatus("5678"),
			},
			podPhase:    corev1.PodRunning,
			expectReady: getPodCondition(corev1.PodReady, corev1.ConditionTrue, "", ""),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
					{Name: "5678"},
				},
			},
			conditions: nil,
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("1234"),
			},
			podPhase:    corev1.PodRunning,
			expectReady: getPodCondition(corev1.PodReady, corev1.ConditionFalse, ContainersNotReady, "containers with unknown status: [5678]"),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
					{Name: "5678"},
				},
			},
			conditions: nil,
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("1234"),
				getNotReadyStatus("5678"),
			},
			podPhase:    corev1.PodRunning,
			expectReady: getPodCondition(corev1.PodReady, corev1.ConditionFalse, ContainersNotReady, "containers with unready status: [5678]"),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
				},
			},
			conditions: nil,
			containerStatuses: []corev1.ContainerStatus{
				getNotReadyStatus("1234"),
			},
			podPhase:    corev1.PodSucceeded,
			expectReady: getPodCondition(corev1.PodReady, corev1.ConditionFalse, PodCompleted, ""),
		},
		{
			spec: corev1.PodSpec{
				ReadinessGates: []corev1.PodReadinessGate{
					{ConditionType: corev1.PodConditionType("gate1")},
				},
			},
			conditions:        nil,
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.PodReady, corev1.ConditionFalse, ReadinessGatesNotReady, `corresponding condition of pod readiness gate "gate1" does not exist.`),
		},
		{
			spec: corev1.PodSpec{
				ReadinessGates: []corev1.PodReadinessGate{
					{ConditionType: corev1.PodConditionType("gate1")},
				},
			},
			conditions: []corev1.PodCondition{
				getPodCondition("gate1", corev1.ConditionFalse, "", ""),
			},
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.PodReady, corev1.ConditionFalse, ReadinessGatesNotReady, `the status of pod readiness gate "gate1" is not "True", but False`),
		},
		{
			spec: corev1.PodSpec{
				ReadinessGates: []corev1.PodReadinessGate{
					{ConditionType: corev1.PodConditionType("gate1")},
				},
			},
			conditions: []corev1.PodCondition{
				getPodCondition("gate1", corev1.ConditionTrue, "", ""),
			},
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.PodReady, corev1.ConditionTrue, "", ""),
		},
		{
			spec: corev1.PodSpec{
				ReadinessGates: []corev1.PodReadinessGate{
					{ConditionType: corev1.PodConditionType("gate1")},
					{ConditionType: corev1.PodConditionType("gate2")},
				},
			},
			conditions: []corev1.PodCondition{
				getPodCondition("gate1", corev1.ConditionTrue, "", ""),
			},
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.PodReady, corev1.ConditionFalse, ReadinessGatesNotReady, `corresponding condition of pod readiness gate "gate2" does not exist.`),
		},
		{
			spec: corev1.PodSpec{
				ReadinessGates: []corev1.PodReadinessGate{
					{ConditionType: corev1.PodConditionType("gate1")},
					{ConditionType: corev1.PodConditionType("gate2")},
				},
			},
			conditions: []corev1.PodCondition{
				getPodCondition("gate1", corev1.ConditionTrue, "", ""),
				getPodCondition("gate2", corev1.ConditionFalse, "", ""),
			},
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.PodReady, corev1.ConditionFalse, ReadinessGatesNotReady, `the status of pod readiness gate "gate2" is not "True", but False`),
		},
		{
			spec: corev1.PodSpec{
				ReadinessGates: []corev1.PodReadinessGate{
					{ConditionType: corev1.PodConditionType("gate1")},
					{ConditionType: corev1.PodConditionType("gate2")},
				},
			},
			conditions: []corev1.PodCondition{
				getPodCondition("gate1", corev1.ConditionTrue, "", ""),
				getPodCondition("gate2", corev1.ConditionTrue, "", ""),
			},
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.PodReady, corev1.ConditionTrue, "", ""),
		},
		{
			spec: corev1.PodSpec{
				Containers: []corev1.Container{
					{Name: "1234"},
				},
				ReadinessGates: []corev1.PodReadinessGate{
					{ConditionType: corev1.PodConditionType("gate1")},
				},
			},
			conditions: []corev1.PodCondition{
				getPodCondition("gate1", corev1.ConditionTrue, "", ""),
			},
			containerStatuses: []corev1.ContainerStatus{getNotReadyStatus("1234")},
			podPhase:          corev1.PodRunning,
			expectReady:       getPodCondition(corev1.PodReady, corev1.ConditionFalse, ContainersNotReady, "containers with unready status: [1234]"),
		},
	}

	for i, test := range tests {
		pod := &corev1.Pod{Spec: test.spec}
		ready := GeneratePodReadyCondition(pod, &corev1.PodStatus{}, test.conditions, test.containerStatuses, test.podPhase)
		assert.Equal(t, test.expectReady, ready, "test case %v", i)
	}
}

func TestUpstreamGeneratePodInitializedCondition(t *testing.T) {
	noInitContainer := &corev1.PodSpec{}
	oneInitContainer := &corev1.PodSpec{
		InitContainers: []corev1.Container{
			{Name: "1234"},
		},
		Containers: []corev1.Container{
			{Name: "regular"},
		},
	}
	twoInitContainer := &corev1.PodSpec{
		InitContainers: []corev1.Container{
			{Name: "1234"},
			{Name: "5678"},
		},
		Containers: []corev1.Container{
			{Name: "regular"},
		},
	}
	oneRestartableInitContainer := &corev1.PodSpec{
		InitContainers: []corev1.Container{
			{
				Name: "1234",
				RestartPolicy: func() *corev1.ContainerRestartPolicy {
					p := corev1.ContainerRestartPolicyAlways
					return &p
				}(),
			},
		},
		Containers: []corev1.Container{
			{Name: "regular"},
		},
	}
	tests := []struct {
		spec              *corev1.PodSpec
		containerStatuses []corev1.ContainerStatus
		podPhase          corev1.PodPhase
		expected          corev1.PodCondition
	}{
		{
			spec:              twoInitContainer,
			containerStatuses: nil,
			podPhase:          corev1.PodRunning,
			expected: corev1.PodCondition{
				Status: corev1.ConditionFalse,
				Reason: UnknownContainerStatuses,
			},
		},
		{
			spec:              noInitContainer,
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expected: corev1.PodCondition{
				Status: corev1.ConditionTrue,
				Reason: "",
			},
		},
		{
			spec:              oneInitContainer,
			containerStatuses: []corev1.ContainerStatus{},
			podPhase:          corev1.PodRunning,
			expected: corev1.PodCondition{
				Status: corev1.ConditionFalse,
				Reason: ContainersNotInitialized,
			},
		},
		{
			spec: twoInitContainer,
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("1234"),
				getReadyStatus("5678"),
			},
			podPhase: corev1.PodRunning,
			expected: corev1.PodCondition{
				Status: corev1.ConditionTrue,
				Reason: "",
			},
		},
		{
			spec: twoInitContainer,
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("1234"),
			},
			podPhase: corev1.PodRunning,
			expected: corev1.PodCondition{
				Status: corev1.ConditionFalse,
				Reason: ContainersNotInitialized,
			},
		},
		{
			spec: twoInitContainer,
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("1234"),
				getNotReadyStatus("5678"),
			},
			podPhase: corev1.PodRunning,
			expected: corev1.PodCondition{
				Status: corev1.ConditionFalse,
				Reason: ContainersNotInitialized,
			},
		},
		{
			spec: oneInitContainer,
			containerStatuses: []corev1.ContainerStatus{
				getReadyStatus("1234"),
			},
			podPhase: corev1.PodSucceeded,
			expected: corev1.PodCondition{
				Status: corev1.ConditionTrue,
				Reason: PodCompleted,
			},
		},
		{
			spec: oneRestartableInitContainer,
			containerStatuses: []corev1.ContainerStatus{
				getNotStartedStatus("1234"),
			},
			podPhase: corev1.PodPending,
			expected: corev1.PodCondition{
				Status: corev1.ConditionFalse,
				Reason: ContainersNotInitialized,
			},
		},
		{
			spec: oneRestartableInitContainer,
			containerStatuses: []corev1.ContainerStatus{
				getStartedStatus("1234"),
			},
			podPhase: corev1.PodRunning,
			expected: corev1.PodCondition{
				Status: corev1.ConditionTrue,
			},
		},
		{
			spec: oneRestartableInitContainer,
			containerStatuses: []corev1.ContainerStatus{
				getNotStartedStatus("1234"),
				{
					Name: "regular",
					State: corev1.ContainerState{
						Running: &corev1.ContainerStateRunning{},
					},
				},
			},
			podPhase: corev1.PodRunning,
			expected: corev1.PodCondition{
				Status: corev1.ConditionTrue,
			},
		},
		{
			spec: oneInitContainer,
			containerStatuses: []corev1.ContainerStatus{{
				Name: "1234",
				State: corev1.ContainerState{
					Waiting: &corev1.ContainerStateWaiting{},
				},
			}, {
				Name: "regular",
				State: corev1.ContainerState{
					Terminated: &corev1.ContainerStateTerminated{},
				},
			}},
			podPhase: corev1.PodRunning,
			expected: corev1.PodCondition{
				Status: corev1.ConditionTrue,
			},
		},
	}
	// Upstream turns ContainerRestartRules and RestartAllContainersOnContainerExits on here; with
	// an empty previous status they change nothing.
	for _, test := range tests {
		test.expected.Type = corev1.PodInitialized
		pod := &corev1.Pod{Spec: *test.spec}
		condition := GeneratePodInitializedCondition(pod, &corev1.PodStatus{}, test.containerStatuses, test.podPhase)
		assert.Equal(t, test.expected.Type, condition.Type)
		assert.Equal(t, test.expected.Status, condition.Status)
		assert.Equal(t, test.expected.Reason, condition.Reason)

	}
}
