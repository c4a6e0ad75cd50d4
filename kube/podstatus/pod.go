package podstatus

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The reasons of the kubelet's pod conditions (pkg/kubelet/status/generate.go:31-45,
// pkg/kubelet/types/constants.go:45) and the message of a pod without a sandbox (:48).
const (
	ReasonContainersNotReady       = "ContainersNotReady"
	ReasonContainersNotInitialized = "ContainersNotInitialized"
	ReasonReadinessGatesNotReady   = "ReadinessGatesNotReady"
	ReasonPodSandboxNotReady       = "PodSandboxNotReady"
	MessageNoPodSandbox            = "no pod sandbox exists"

	reasonUnknownStatuses = "UnknownContainerStatuses"
)

// PodStatus returns the status the kubelet writes for pod while it ensures the pod's images
// (kubelet_pods.go:1910 generateAPIPodStatus, then the status manager's
// updateStatusInternal, status/status_manager.go:952-985):
//
//   - the container statuses of [ContainerStatuses];
//   - the phase of getPhase (kubelet_pods.go:1672) for a pod that is not terminal: Pending while
//     an init container is pending or a container is waiting, Running once every container
//     has started and one runs; a terminal phase of the previous status or of the pod is kept
//     (:1926-1935);
//   - the kubelet's conditions, after the pod's other conditions: PodReadyToStartContainers
//     (True when opts.SandboxReady, else False, PodSandboxNotReady, "no pod sandbox exists";
//     status/generate.go:271), Initialized (False, ContainersNotInitialized, "containers with
//     incomplete status: [init]", :186), Ready and ContainersReady (False, ContainersNotReady,
//     "containers with unready status: [app]", :51 and :127), PodScheduled True; with
//     observedGeneration the pod's generation (PodObservedGenerationTracking is GA) and a
//     lastTransitionTime kept from the previous status when the condition's status is
//     unchanged, else opts.Now (status_manager.go:1116 updateLastTransitionTime);
//   - startTime from the previous status, else opts.Now (status_manager.go:979-985); qosClass
//     as the pod has it (the API server sets it on creation, as the kubelet computes it).
//
// Reason and message are those of the previous status when the phase is unchanged
// (:1937-1947). Host and pod IPs, resources and resize conditions are not set.
func PodStatus(pod *corev1.Pod, reasons *ReasonCache, opts StatusOptions) corev1.PodStatus {
	prev := opts.Previous
	if prev == nil {
		prev = &pod.Status
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	var s corev1.PodStatus
	s.InitContainerStatuses, s.ContainerStatuses, s.EphemeralContainerStatuses = ContainerStatuses(pod, reasons, opts)
	s.QOSClass = pod.Status.QOSClass
	all := append(append([]corev1.ContainerStatus{}, s.ContainerStatuses...), s.InitContainerStatuses...)
	s.Phase = phase(pod, all, false, anyRegularRunning(pod, &opts))
	if s.Phase != corev1.PodFailed && s.Phase != corev1.PodSucceeded {
		switch {
		case prev.Phase == corev1.PodFailed || prev.Phase == corev1.PodSucceeded:
			s.Phase = prev.Phase
		case pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded:
			s.Phase = pod.Status.Phase
		}
	}
	if s.Phase == prev.Phase {
		s.Reason, s.Message = prev.Reason, prev.Message
		if s.Reason == "" {
			s.Reason = pod.Status.Reason
		}
		if s.Message == "" {
			s.Message = pod.Status.Message
		}
	}
	s.Conditions = conditions(pod, prev, s.InitContainerStatuses, s.ContainerStatuses, s.Phase, opts.SandboxReady)
	for i := range s.Conditions {
		c := &s.Conditions[i]
		if !byKubelet(c.Type) && c.Type != corev1.DisruptionTarget {
			continue
		}
		c.LastTransitionTime = metav1.NewTime(now)
		if old := findCondition(prev.Conditions, c.Type); old != nil && old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
		}
	}
	if prev.StartTime != nil && !prev.StartTime.IsZero() {
		s.StartTime = prev.StartTime.DeepCopy()
	} else {
		t := metav1.NewTime(now)
		s.StartTime = &t
	}
	return s
}

// byKubelet is kubetypes.PodConditionByKubelet (pkg/kubelet/types/pod_status.go:36) with the
// default feature gates.
func byKubelet(t corev1.PodConditionType) bool {
	switch t {
	case corev1.PodScheduled, corev1.PodReady, corev1.PodInitialized, corev1.ContainersReady,
		corev1.PodResizeInProgress, corev1.PodResizePending, corev1.PodReadyToStartContainers:
		return true
	}
	return false
}

func conditions(pod *corev1.Pod, prev *corev1.PodStatus, initS, mainS []corev1.ContainerStatus, phase corev1.PodPhase, sandbox bool) []corev1.PodCondition {
	gen := pod.Generation
	out := make([]corev1.PodCondition, 0, len(pod.Status.Conditions)+5)
	for _, c := range pod.Status.Conditions {
		if !byKubelet(c.Type) {
			out = append(out, c)
		}
	}
	if c := findCondition(prev.Conditions, corev1.DisruptionTarget); c != nil { // kubelet_pods.go:2001-2004
		replaced := false
		for i := range out {
			if out[i].Type == c.Type {
				out[i], replaced = *c, true
			}
		}
		if !replaced {
			out = append(out, *c)
		}
	}
	ready := corev1.PodCondition{Type: corev1.PodReadyToStartContainers, ObservedGeneration: gen, Status: corev1.ConditionTrue}
	if !sandbox {
		ready.Status, ready.Reason, ready.Message = corev1.ConditionFalse, ReasonPodSandboxNotReady, MessageNoPodSandbox
	}
	all := append(append([]corev1.ContainerStatus{}, initS...), mainS...)
	out = append(out, ready, initialized(pod, all, phase))
	containersReady := containersReadyCondition(pod, all, phase)
	out = append(out, podReady(pod, containersReady, out), containersReady,
		corev1.PodCondition{Type: corev1.PodScheduled, ObservedGeneration: gen, Status: corev1.ConditionTrue})
	return out
}

// containersReadyCondition is GenerateContainersReadyCondition (status/generate.go:51).
func containersReadyCondition(pod *corev1.Pod, all []corev1.ContainerStatus, phase corev1.PodPhase) corev1.PodCondition {
	c := corev1.PodCondition{Type: corev1.ContainersReady, ObservedGeneration: pod.Generation}
	if all == nil {
		c.Status, c.Reason = corev1.ConditionFalse, reasonUnknownStatuses
		return c
	}
	var unknown, unready []string
	check := func(ct *corev1.Container) {
		if s := findStatus(all, ct.Name); s == nil {
			unknown = append(unknown, ct.Name)
		} else if !s.Ready {
			unready = append(unready, ct.Name)
		}
	}
	for i := range pod.Spec.InitContainers {
		if isSidecar(&pod.Spec.InitContainers[i]) {
			check(&pod.Spec.InitContainers[i])
		}
	}
	for i := range pod.Spec.Containers {
		check(&pod.Spec.Containers[i])
	}
	if (phase == corev1.PodSucceeded && len(unknown) == 0) || phase == corev1.PodFailed {
		c.Status, c.Reason = corev1.ConditionFalse, "PodCompleted"
		if phase == corev1.PodFailed {
			c.Reason = "PodFailed"
		}
		return c
	}
	var msgs []string
	if len(unknown) > 0 {
		msgs = append(msgs, fmt.Sprintf("containers with unknown status: %s", unknown))
	}
	if len(unready) > 0 {
		msgs = append(msgs, fmt.Sprintf("containers with unready status: %s", unready))
	}
	if len(msgs) > 0 {
		c.Status, c.Reason, c.Message = corev1.ConditionFalse, ReasonContainersNotReady, strings.Join(msgs, ", ")
		return c
	}
	c.Status = corev1.ConditionTrue
	return c
}

// podReady is GeneratePodReadyCondition (status/generate.go:127).
func podReady(pod *corev1.Pod, containersReady corev1.PodCondition, conds []corev1.PodCondition) corev1.PodCondition {
	c := corev1.PodCondition{Type: corev1.PodReady, ObservedGeneration: pod.Generation}
	if containersReady.Status != corev1.ConditionTrue {
		c.Status, c.Reason, c.Message = containersReady.Status, containersReady.Reason, containersReady.Message
		return c
	}
	var msgs []string
	for _, rg := range pod.Spec.ReadinessGates {
		g := findCondition(conds, rg.ConditionType)
		if g == nil {
			msgs = append(msgs, fmt.Sprintf("corresponding condition of pod readiness gate %q does not exist.", string(rg.ConditionType)))
		} else if g.Status != corev1.ConditionTrue {
			msgs = append(msgs, fmt.Sprintf("the status of pod readiness gate %q is not \"True\", but %v", string(rg.ConditionType), g.Status))
		}
	}
	if len(msgs) > 0 {
		c.Status, c.Reason, c.Message = corev1.ConditionFalse, ReasonReadinessGatesNotReady, strings.Join(msgs, ", ")
		return c
	}
	c.Status = corev1.ConditionTrue
	return c
}

// initialized is GeneratePodInitializedCondition (status/generate.go:186).
func initialized(pod *corev1.Pod, all []corev1.ContainerStatus, phase corev1.PodPhase) corev1.PodCondition {
	c := corev1.PodCondition{Type: corev1.PodInitialized, ObservedGeneration: pod.Generation}
	if all == nil && len(pod.Spec.InitContainers) > 0 {
		c.Status, c.Reason = corev1.ConditionFalse, reasonUnknownStatuses
		return c
	}
	var unknown, incomplete []string
	for i := range pod.Spec.InitContainers {
		ct := &pod.Spec.InitContainers[i]
		s := findStatus(all, ct.Name)
		switch {
		case s == nil:
			unknown = append(unknown, ct.Name)
		case isSidecar(ct) && (s.Started == nil || !*s.Started), !isSidecar(ct) && !s.Ready:
			incomplete = append(incomplete, ct.Name)
		}
	}
	if phase == corev1.PodSucceeded && len(unknown) == 0 {
		c.Status, c.Reason = corev1.ConditionTrue, "PodCompleted"
		return c
	}
	for i := range pod.Spec.Containers { // HasAnyRegularContainerStarted
		if s := findStatus(all, pod.Spec.Containers[i].Name); s != nil && (s.State.Running != nil || s.State.Terminated != nil) {
			c.Status = corev1.ConditionTrue
			return c
		}
	}
	var msgs []string
	if len(unknown) > 0 {
		msgs = append(msgs, fmt.Sprintf("containers with unknown status: %s", unknown))
	}
	if len(incomplete) > 0 {
		msgs = append(msgs, fmt.Sprintf("containers with incomplete status: %s", incomplete))
	}
	if len(msgs) > 0 {
		c.Status, c.Reason, c.Message = corev1.ConditionFalse, ReasonContainersNotInitialized, strings.Join(msgs, ", ")
		return c
	}
	c.Status = corev1.ConditionTrue
	return c
}

// phase is getPhase (kubelet_pods.go:1672), with the ContainerRestartRules gate on (its
// default since v1.35) and RestartAllContainersOnContainerExits off (its default). terminal
// is podIsTerminal: the pod worker is terminating the pod, so its containers will not be
// restarted; [PodStatus] computes the phase of a pod that is not.
func phase(pod *corev1.Pod, all []corev1.ContainerStatus, terminal, initialized bool) corev1.PodPhase {
	spec := &pod.Spec
	pendingRegularInit, pendingSidecars, failedInitNotRestartable := 0, 0, 0
	for i := range spec.InitContainers {
		ct := &spec.InitContainers[i]
		if isSidecar(ct) {
			continue
		}
		s := findStatus(all, ct.Name)
		switch {
		case s == nil, s.State.Running != nil:
			pendingRegularInit++
		case s.State.Terminated != nil:
			if code := s.State.Terminated.ExitCode; code != 0 && !containerShouldRestart(ct, spec, code) {
				failedInitNotRestartable++
			}
		case s.State.Waiting != nil:
			if t := s.LastTerminationState.Terminated; t != nil {
				if t.ExitCode != 0 && !containerShouldRestart(ct, spec, t.ExitCode) {
					failedInitNotRestartable++
				}
			} else {
				pendingRegularInit++
			}
		default:
			pendingRegularInit++
		}
	}
	unknown, running, waiting, stopped, stoppedNotRestartable, succeeded := 0, 0, 0, 0, 0, 0
	for i := range spec.InitContainers {
		ct := &spec.InitContainers[i]
		if !isSidecar(ct) {
			continue
		}
		s := findStatus(all, ct.Name)
		switch {
		case s == nil:
			unknown++
		case s.State.Running != nil:
			if s.Started == nil || !*s.Started {
				pendingSidecars++
			}
			running++
		case s.State.Terminated != nil:
		case s.State.Waiting != nil:
			if s.LastTerminationState.Terminated == nil {
				pendingSidecars++
				waiting++
			}
		default:
			pendingSidecars++
			unknown++
		}
	}
	for i := range spec.Containers {
		ct := &spec.Containers[i]
		s := findStatus(all, ct.Name)
		switch {
		case s == nil:
			unknown++
		case s.State.Running != nil:
			running++
		case s.State.Terminated != nil:
			stopped++
			code := s.State.Terminated.ExitCode
			if !containerShouldRestart(ct, spec, code) {
				stoppedNotRestartable++
			}
			if code == 0 {
				succeeded++
			}
		case s.State.Waiting != nil:
			if t := s.LastTerminationState.Terminated; t != nil {
				stopped++
				if !containerShouldRestart(ct, spec, t.ExitCode) {
					stoppedNotRestartable++
				}
			} else {
				waiting++
			}
		default:
			unknown++
		}
	}
	switch {
	case failedInitNotRestartable > 0:
		return corev1.PodFailed
	case pendingRegularInit > 0 || (pendingSidecars > 0 && !initialized), waiting > 0:
		return corev1.PodPending
	case running > 0 && unknown == 0:
		return corev1.PodRunning
	case running == 0 && stopped > 0 && unknown == 0:
		if terminal && !isStatic(pod) {
			if stopped == succeeded {
				return corev1.PodSucceeded
			}
			return corev1.PodFailed
		}
		switch {
		case stopped != stoppedNotRestartable:
			return corev1.PodRunning
		case stopped == succeeded:
			return corev1.PodSucceeded
		}
		return corev1.PodFailed
	}
	return corev1.PodPending
}

// anyRegularRunning approximates HasAnyActiveRegularContainerStarted (container/helpers.go:516):
// the runtime has a regular container.
func anyRegularRunning(pod *corev1.Pod, opts *StatusOptions) bool {
	for i := range pod.Spec.Containers {
		if _, ok := opts.Runtime[pod.Spec.Containers[i].Name]; ok {
			return true
		}
	}
	return false
}

func findStatus(all []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
	for i := range all {
		if all[i].Name == name {
			return &all[i]
		}
	}
	return nil
}

func findCondition(conds []corev1.PodCondition, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

// isStatic is kubetypes.IsStaticPod (pkg/kubelet/types/pod_update.go:152): the pod's config
// source annotation names a source other than the API server.
func isStatic(pod *corev1.Pod) bool {
	src, ok := pod.Annotations["kubernetes.io/config.source"]
	return ok && src != "api"
}
