package podstatus

import (
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// The kubelet's waiting reasons of a container that has not been created yet
// (kubelet_pods.go:88-89), and the reason it gives a container that vanished from the
// runtime (pkg/kubelet/container/runtime.go ContainerReasonStatusUnknown).
const (
	ReasonContainerCreating = "ContainerCreating"
	ReasonPodInitializing   = "PodInitializing"
	ReasonStatusUnknown     = "ContainerStatusUnknown"
)

// StatusOptions is what [ContainerStatuses] needs beyond the pod and the reason cache.
type StatusOptions struct {
	// Previous is the status the kubelet wrote last (its status manager's copy,
	// kubelet_pods.go generateAPIPodStatus: oldPodStatus); nil means pod.Status, as the
	// kubelet uses when its status manager has none.
	Previous *corev1.PodStatus
	// Runtime holds, by container name, the statuses of the containers the runtime has, already
	// in the API form (the kubelet's convertContainerStatus, kubelet_pods.go:2313): a provider's
	// own statuses. They replace the kubelet's default; Ready and Started are kept as given
	// (the kubelet's prober sets them). Containers not in Runtime have never been created.
	Runtime map[string]corev1.ContainerStatus
	// RecursiveReadOnlyMounts says whether the runtime supports recursive read-only mounts;
	// it decides the recursiveReadOnly field of the volume mount statuses of mounts that ask for
	// IfPossible (kubelet_pods.go:2546-2568, resolveRecursiveReadOnly :2961).
	RecursiveReadOnlyMounts bool
	// SandboxReady says that the pod has a ready sandbox with its network: it decides the
	// PodReadyToStartContainers condition of [PodStatus].
	SandboxReady bool
	// Now is the time [PodStatus] stamps on a new start time and on a condition whose status
	// changed; zero means time.Now().
	Now time.Time
}

// ContainerStatuses returns the init container, container and ephemeral container statuses
// the kubelet writes for pod (kubelet_pods.go:2138-2174 convertStatusToAPIStatus, and
// convertToAPIContainerStatuses :2311), with the container readiness its prober adds
// (prober_manager.go:344 UpdatePodStatus). For a container the runtime does not have:
//
//   - the state is Waiting with reason ContainerCreating, or PodInitializing when the pod has
//     init containers, for init, regular and ephemeral containers alike (:2531-2534); image is
//     the spec's image string and imageID is empty (:2539-2543); the volume mount statuses are
//     listed (:2546-2568, RecursiveReadOnlyMounts is GA);
//   - when the reason cache holds a failed start for it, the state is Waiting with that reason
//     and message instead (:2766-2789): ErrImagePull, ImagePullBackOff, ErrImageNeverPull,
//     InvalidImageName, ImageInspectError, RegistryUnavailable, SignatureValidationFailed, …
//     but not for a pod with a deletion timestamp (container/helpers.go:90
//     ShouldContainerBeRestarted);
//   - a previous Terminated status is kept as it is (:2570-2578); otherwise the restart count
//     and last termination state carry over;
//   - a container that was Running in the previous status gets a last termination state
//     ContainerStatusUnknown and one more restart (:2583-2668);
//   - Started is false, Ready false (prober_manager.go:346-351, :389-403).
//
// A status in opts.Runtime replaces the default; when the container is to be started again
// (a Waiting status, or a Terminated one whose restart policy restarts it), a failed start in
// the reason cache turns it to Waiting with the terminated state as last termination state
// (:2780-2788). An init container that completed (exit code 0) is left alone (:2735-2738),
// and one the runtime lost after a regular container was created is Completed (:2751-2763).
//
// Init container statuses come in spec order, the others sorted by name (:2794-2803).
func ContainerStatuses(pod *corev1.Pod, reasons *ReasonCache, opts StatusOptions) (initStatuses, statuses, ephemeral []corev1.ContainerStatus) {
	prev := opts.Previous
	if prev == nil {
		prev = &pod.Status
	}
	hasInit := len(pod.Spec.InitContainers) > 0
	c := converter{pod: pod, reasons: reasons, opts: &opts, hasInit: hasInit}
	statuses = c.convert(prev.ContainerStatuses, pod.Spec.Containers, false)
	initStatuses = c.convert(prev.InitContainerStatuses, pod.Spec.InitContainers, true)
	if len(pod.Spec.EphemeralContainers) > 0 {
		ec := make([]corev1.Container, len(pod.Spec.EphemeralContainers))
		for i := range pod.Spec.EphemeralContainers {
			ec[i] = corev1.Container(pod.Spec.EphemeralContainers[i].EphemeralContainerCommon)
		}
		ephemeral = c.convert(prev.EphemeralContainerStatuses, ec, false)
	}
	c.probe(statuses, initStatuses)
	return initStatuses, statuses, ephemeral
}

type converter struct {
	pod     *corev1.Pod
	reasons *ReasonCache
	opts    *StatusOptions
	hasInit bool
	made    map[string]bool // statuses the kubelet made, not from opts.Runtime, by kind+name
}

func (c *converter) convert(previous []corev1.ContainerStatus, containers []corev1.Container, isInit bool) []corev1.ContainerStatus {
	old := make(map[string]corev1.ContainerStatus, len(previous))
	for _, s := range previous {
		old[s.Name] = s
	}
	reason := ReasonContainerCreating
	if c.hasInit {
		reason = ReasonPodInitializing
	}
	byName := make(map[string]*corev1.ContainerStatus, len(containers))
	for i := range containers {
		ct := &containers[i]
		s := &corev1.ContainerStatus{
			Name: ct.Name, Image: ct.Image,
			State:        corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}},
			VolumeMounts: c.volumeMounts(ct),
		}
		if o, ok := old[ct.Name]; ok {
			if o.State.Terminated != nil {
				s = &o
			} else {
				s.RestartCount, s.LastTerminationState = o.RestartCount, o.LastTerminationState
			}
		}
		byName[ct.Name] = s
	}
	// Containers the runtime lost after they ran (kubelet_pods.go:2583-2668).
	for i := range containers {
		name := containers[i].Name
		if _, ok := c.opts.Runtime[name]; ok {
			continue
		}
		o, ok := old[name]
		if !ok || o.State.Terminated != nil || o.State.Running == nil {
			continue
		}
		s := byName[name]
		if s.State.Waiting == nil || s.State.Waiting.Reason != reason || s.LastTerminationState.Terminated != nil {
			continue
		}
		s.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{
			Reason:   ReasonStatusUnknown,
			Message:  "The container could not be located when the pod was deleted.  The container used to be Running",
			ExitCode: 137,
		}
		if c.pod.DeletionTimestamp == nil {
			s.RestartCount++
		}
	}
	made := map[string]bool{}
	for i := range containers {
		name := containers[i].Name
		if rs, ok := c.opts.Runtime[name]; ok {
			rs := rs
			byName[name] = &rs
		} else {
			made[name] = true
		}
	}
	// Containers that failed to start (kubelet_pods.go:2730-2790).
	for i := range containers {
		ct := &containers[i]
		rs, known := c.opts.Runtime[ct.Name]
		s := byName[ct.Name]
		if isInit {
			if known && rs.State.Terminated != nil && rs.State.Terminated.ExitCode == 0 {
				continue
			}
			if !known && c.anyRegularCreated() && !isSidecar(ct) && s.State.Waiting != nil {
				s.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					Reason:  "Completed",
					Message: "Unable to get init container status from container runtime and pod has been initialized, treat it as exited normally",
				}}
				continue
			}
		}
		if !c.shouldRestart(ct, rs, known) {
			continue
		}
		item, ok := c.reasons.get(c.pod.UID, ct.Name)
		if !ok {
			continue
		}
		if s.State.Terminated != nil {
			s.LastTerminationState = s.State
		}
		s.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: item.Reason, Message: item.Message}}
	}
	out := make([]corev1.ContainerStatus, 0, len(byName))
	if isInit {
		for i := range containers { // kubetypes.SortStatusesOfInitContainers
			if s, ok := byName[containers[i].Name]; ok {
				out = append(out, *s)
			}
		}
	} else {
		for _, s := range byName {
			out = append(out, *s)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	}
	if c.made == nil {
		c.made = map[string]bool{}
	}
	for name := range made {
		c.made[kindKey(isInit, name)] = true
	}
	return out
}

func kindKey(isInit bool, name string) string {
	if isInit {
		return "i/" + name
	}
	return "c/" + name
}

// probe sets Started and Ready on the statuses the kubelet made, as its prober does for a
// container that is not running (prober_manager.go:344-403): Started false; Ready true only
// for an init container (not a sidecar) that exited 0.
func (c *converter) probe(statuses, initStatuses []corev1.ContainerStatus) {
	for i := range statuses {
		s := &statuses[i]
		if c.made[kindKey(false, s.Name)] {
			s.Started = ptr(s.State.Running != nil)
		}
	}
	for i := range initStatuses {
		s := &initStatuses[i]
		if !c.made[kindKey(true, s.Name)] {
			continue
		}
		s.Started = ptr(s.State.Running != nil)
		ct := findContainer(c.pod.Spec.InitContainers, s.Name)
		if ct != nil && !isSidecar(ct) && s.State.Terminated != nil && s.State.Terminated.ExitCode == 0 {
			s.Ready = true
		}
	}
}

// shouldRestart is kubecontainer.ShouldContainerBeRestarted (container/helpers.go:90) on an
// API status, with the ContainerRestartRules gate on (beta, on by default since v1.35).
func (c *converter) shouldRestart(ct *corev1.Container, s corev1.ContainerStatus, known bool) bool {
	switch {
	case c.pod.DeletionTimestamp != nil:
		return false
	case !known:
		return true
	case s.State.Running != nil:
		return false
	case s.State.Terminated == nil:
		return true // created or unknown
	}
	return containerShouldRestart(ct, &c.pod.Spec, s.State.Terminated.ExitCode)
}

// containerShouldRestart is podutil.ContainerShouldRestart (pkg/api/v1/pod/util.go:419):
// the container's restart rules and policy, else the pod's restart policy.
func containerShouldRestart(ct *corev1.Container, spec *corev1.PodSpec, exitCode int32) bool {
	if ct.RestartPolicy != nil {
		// The first matching rule decides; an action other than Restart falls back to the
		// container's policy (RestartAllContainers does, with its gate off by default).
		for _, rule := range ct.RestartPolicyRules {
			if rule.ExitCodes != nil && matchExitCodes(rule.ExitCodes, exitCode) {
				if rule.Action == corev1.ContainerRestartRuleActionRestart {
					return true
				}
				break
			}
		}
		switch *ct.RestartPolicy {
		case corev1.ContainerRestartPolicyAlways:
			return true
		case corev1.ContainerRestartPolicyOnFailure:
			return exitCode != 0
		case corev1.ContainerRestartPolicyNever:
			return false
		}
	}
	switch spec.RestartPolicy {
	case corev1.RestartPolicyNever:
		return false
	case corev1.RestartPolicyOnFailure:
		return exitCode != 0
	}
	return true
}

func matchExitCodes(r *corev1.ContainerRestartRuleOnExitCodes, code int32) bool {
	in := false
	for _, v := range r.Values {
		if v == code {
			in = true
			break
		}
	}
	switch r.Operator {
	case corev1.ContainerRestartRuleOnExitCodesOpIn:
		return in
	case corev1.ContainerRestartRuleOnExitCodesOpNotIn:
		return !in
	}
	return false
}

// anyRegularCreated is kuberuntime.HasAnyRegularContainerCreated: the runtime has a regular
// container (created, running or exited).
func (c *converter) anyRegularCreated() bool {
	for i := range c.pod.Spec.Containers {
		if _, ok := c.opts.Runtime[c.pod.Spec.Containers[i].Name]; ok {
			return true
		}
	}
	return false
}

// volumeMounts are the volume mount statuses of a container (kubelet_pods.go:2546-2568).
func (c *converter) volumeMounts(ct *corev1.Container) []corev1.VolumeMountStatus {
	var out []corev1.VolumeMountStatus
	for _, m := range ct.VolumeMounts {
		s := corev1.VolumeMountStatus{Name: m.Name, MountPath: m.MountPath, ReadOnly: m.ReadOnly}
		if m.ReadOnly {
			mode := corev1.RecursiveReadOnlyDisabled
			if recursiveReadOnly(m, c.opts.RecursiveReadOnlyMounts) {
				mode = corev1.RecursiveReadOnlyEnabled
			}
			s.RecursiveReadOnly = &mode
		}
		out = append(out, s)
	}
	return out
}

// recursiveReadOnly is resolveRecursiveReadOnly (kubelet_pods.go:2961); where it fails, the
// kubelet logs and reports Disabled.
func recursiveReadOnly(m corev1.VolumeMount, supported bool) bool {
	if m.RecursiveReadOnly == nil || *m.RecursiveReadOnly == corev1.RecursiveReadOnlyDisabled || !m.ReadOnly {
		return false
	}
	if m.MountPropagation != nil && *m.MountPropagation != corev1.MountPropagationNone {
		return false
	}
	switch *m.RecursiveReadOnly {
	case corev1.RecursiveReadOnlyIfPossible, corev1.RecursiveReadOnlyEnabled:
		return supported
	}
	return false
}

func findContainer(cs []corev1.Container, name string) *corev1.Container {
	for i := range cs {
		if cs[i].Name == name {
			return &cs[i]
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// get is Get on a nil-safe cache.
func (c *ReasonCache) get(uid types.UID, name string) (ReasonItem, bool) {
	if c == nil {
		return ReasonItem{}, false
	}
	return c.Get(uid, name)
}
