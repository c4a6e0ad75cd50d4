package podstatus

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/internal/clip"
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

// The event startContainer records when the image of a container cannot be ensured
// (kuberuntime_container.go:218, and :2018 of kuberuntime_manager.go for an image volume):
// Warning, reason events.FailedToCreateContainer ("Failed", pkg/kubelet/events/event.go:23),
// message "Error: <reason>".
const (
	EventReasonFailed = "Failed"
	eventErrorPrefix  = "Error: "
)

// Started reports whether the kubelet would leave a container alone in the next SyncPod
// because the runtime already has it as it should be: for an init container, that it ran to
// completion (exit code 0); for a sidecar, that it is running and started (its startup probe,
// if any, succeeded); for a regular or ephemeral container, that it has been created. A nil
// Started means that the runtime has none of the pod's containers, as for a new pod. An init
// container that is running but has not completed is neither: use [Progress] for it.
type Started func(name string) bool

func (s Started) has(name string) bool { return s != nil && s(name) }

// ContainerProgress is how far the runtime got with a container, as far as the kubelet's
// choice of the containers to start goes (computePodActions).
type ContainerProgress int

const (
	// NotStarted: the runtime does not have the container, so the kubelet starts it.
	NotStarted ContainerProgress = iota
	// Running: an init container that runs and has not completed, or a sidecar that runs and
	// has not started (its startup probe has not succeeded): the kubelet starts nothing after
	// it until it does (kuberuntime_container.go:1125-1161).
	Running
	// Done: the kubelet leaves the container alone: an init container that completed, a
	// sidecar that started, a regular or ephemeral container that was created.
	Done
)

// Progress reports the [ContainerProgress] of each container of a pod, by name; nil means
// that every container is [NotStarted].
type Progress func(name string) ContainerProgress

func (p Progress) of(name string) ContainerProgress {
	if p == nil {
		return NotStarted
	}
	return p(name)
}

// progress turns a Started into a Progress: started is Done.
func (s Started) progress() Progress {
	if s == nil {
		return nil
	}
	return func(name string) ContainerProgress {
		if s(name) {
			return Done
		}
		return NotStarted
	}
}

// Plan returns the steps the kubelet's next SyncPod of pod runs, in its order
// (kuberuntime_manager.go:1583 SyncPod, with computePodActions :1279 and
// computeInitContainerActions, kuberuntime_container.go:1063):
//
//   - every image volume, once, before the first container start (lazyStart,
//     kuberuntime_manager.go:1889), when there is a container to start;
//   - the ephemeral containers not started (:1908; they may start before initialization);
//   - while the pod is not initialized, only the first init container not started: the
//     kubelet starts one init container per sync and the next one once the previous has
//     completed, or, for a sidecar, is running and started (kuberuntime_container.go:1155-1161,
//     :1224-1230, and :1284 for the first);
//   - once every init container is started, every regular container not started, in order
//     (computePodActions :1397-1415).
//
// A pod with a deletion timestamp is being terminated, not synced: Plan returns nil.
func Plan(pod *corev1.Pod, started Started) []Step { return PlanProgress(pod, started.progress()) }

// PlanProgress is [Plan] with each container's [ContainerProgress]: an init container that is
// [Running] holds up the init containers after it and the regular containers, and is not
// started again.
func PlanProgress(pod *corev1.Pod, progress Progress) []Step {
	if pod.DeletionTimestamp != nil {
		return nil
	}
	var volumes, containers []Step
	initDone, initSeen := true, false
	for _, s := range Steps(pod) {
		switch s.Kind {
		case ImageVolume:
			volumes = append(volumes, s)
		case EphemeralContainer:
			if progress.of(s.Name) == NotStarted {
				containers = append(containers, s)
			}
		case InitContainer, SidecarContainer:
			p := progress.of(s.Name)
			if initSeen || p == Done {
				continue
			}
			initDone, initSeen = false, true
			if p == NotStarted {
				containers = append(containers, s)
			}
		case Container:
			if initDone && progress.of(s.Name) == NotStarted {
				containers = append(containers, s)
			}
		}
	}
	if len(containers) == 0 {
		return nil
	}
	return append(volumes, containers...)
}

// EnsureFunc ensures the image of one step, as the kubelet's EnsureImageExists does. It is
// typically a call of [kubelet.ImageManager.EnsureImageExists] with step.Request(pod) and the
// pod's pull Secrets. Its error, when not nil, should be the [*kubelet.EnsureError] that call
// returns; any other error counts as a reason of its own text, as the kubelet treats an error
// it returns raw.
type EnsureFunc func(ctx context.Context, step Step) (kubelet.Result, error)

// Ensured is one EnsureImageExists call of a sync and what it returned.
type Ensured struct {
	Step   Step
	Result kubelet.Result
	Err    error
}

// Start is the kubelet's StartContainer SyncResult for one container, as far as images go
// (kubecontainer.SyncResult with Action StartContainer, Target the container's name): Err
// nil when the images of the container are ready (the kubelet would now create and start
// it), otherwise the reason and the message the reason cache keeps
// (reason_cache.go:69 Update) and the container status shows.
type Start struct {
	// Step is the container's step.
	Step Step
	// ImageRef is the image ID to create the container from, when Err is nil.
	ImageRef string
	// Reason is the waiting reason ("ErrImagePull", "ImagePullBackOff", …) when the start
	// failed: [kubelet.EnsureError.WaitingReason] of the error, or the error's text for
	// another error. "" when Err is nil.
	Reason string
	// Message is the waiting message: the message EnsureImageExists returned with the error.
	Message string
	// Err is the error, or nil.
	Err error
}

// SyncResult is what one SyncPod of a pod did with its images.
type SyncResult struct {
	// Ensured lists every EnsureImageExists call, in order.
	Ensured []Ensured
	// Starts lists the containers the kubelet tried to start, in order.
	Starts []Start
	// Events are the events the kubelet's runtime manager records on top of the image
	// manager's own: one Warning Failed "Error: <reason>" per container whose image (or image
	// volume) could not be ensured, on the container (FieldPath "spec.containers{app}"). The
	// image manager's events (Pulling, Failed, BackOff, …) are in Ensured[i].Result.Events
	// and went to its recorder; [SyncResult.AllEvents] interleaves both.
	Events []kubelet.Event

	all []kubelet.Event
}

// AllEvents returns every event of the sync in the order the kubelet records them: the image
// manager's events of each call, each followed by the Failed event of the container that the
// failure stopped.
func (r *SyncResult) AllEvents() []kubelet.Event { return r.all }

// Failed reports whether a start failed: the kubelet's SyncPod then returns an error and the
// pod worker retries the pod after its back-off period ([RetryDelay]).
func (r *SyncResult) Failed() bool {
	for i := range r.Starts {
		if r.Starts[i].Err != nil {
			return true
		}
	}
	return false
}

// MissingSecretsEvent returns the Warning FailedToRetrieveImagePullSecret event the kubelet
// records on the pod after a sync (kubelet.go:2306-2319) when the pod's imagePullSecrets name
// Secrets it could not get (missing, in the pod's order, as [kube.PullSecrets] returns them)
// and a start of the sync failed with ErrImagePull: not after a sync in back-off
// (ImagePullBackOff), nor after another reason such as RegistryUnavailable. ok is false when
// the kubelet records nothing. The event is on the pod itself: its FieldPath is "".
func (r *SyncResult) MissingSecretsEvent(missing []string) (e kubelet.Event, ok bool) {
	if len(missing) == 0 {
		return kubelet.Event{}, false
	}
	for i := range r.Starts {
		if errors.Is(r.Starts[i].Err, pullpolicy.ErrImagePull) {
			return kubelet.Event{
				Type: kubelet.EventTypeWarning, Reason: kube.ReasonMissingPullSecrets,
				Message: kube.MissingPullSecretsMessage(missing),
			}, true
		}
	}
	return kubelet.Event{}, false
}

// Sync runs the image part of one kubelet SyncPod of pod: it calls ensure for each step of
// [Plan] and returns what the kubelet's runtime manager makes of the outcomes
// (kuberuntime_manager.go:1814-1962):
//
//   - Image volumes are ensured first, each on its own; their failures stop nothing yet
//     (getImageVolumes, :2035).
//   - For each container to start: when an image volume it mounts failed, one Failed event is
//     recorded per failed volume, in the order of its volumeMounts, and the start fails with the
//     last one's reason and message; the container's own image is then not ensured
//     (toKubeContainerImageVolumes, :2000, called at :1832).
//   - Otherwise its image is ensured; on failure the Failed event "Error: <reason>" is recorded
//     on the container (kuberuntime_container.go:215-219), for every reason, ImagePullBackOff
//     included.
//   - A failed init container that is not a sidecar stops the sync: later containers are not
//     tried (:1926-1933). A failed sidecar, ephemeral or regular container does not.
//
// Sync does not start containers: a [Start] without error says that the kubelet would now
// create and start the container from Start.ImageRef.
func Sync(ctx context.Context, pod *corev1.Pod, started Started, ensure EnsureFunc) SyncResult {
	return run(ctx, pod, Plan(pod, started), ensure, false)
}

// SyncProgress is [Sync] with each container's [ContainerProgress] ([PlanProgress]).
func SyncProgress(ctx context.Context, pod *corev1.Pod, progress Progress, ensure EnsureFunc) SyncResult {
	return run(ctx, pod, PlanProgress(pod, progress), ensure, false)
}

// SyncAll is [Sync] for a runtime that starts the whole pod at once, such as a
// virtual-kubelet provider's CreatePod: it ensures the images of every container not started
// in one pass, counting each init container whose images are ready as completed. The steps,
// their order, the starts, reasons, messages and events are those of the kubelet's successive
// syncs if every init container completed at once, with two differences: the image volumes are
// ensured once, not once per sync, and what the kubelet spreads over several syncs (and
// several retries of the pod worker) happens in one call. A failed init container, sidecars
// included, stops the pass: the kubelet starts the next init container only once the previous
// one has completed or, for a sidecar, started.
func SyncAll(ctx context.Context, pod *corev1.Pod, started Started, ensure EnsureFunc) SyncResult {
	if pod.DeletionTimestamp != nil {
		return SyncResult{}
	}
	var volumes, containers []Step
	for _, s := range Steps(pod) {
		switch {
		case s.Kind == ImageVolume:
			volumes = append(volumes, s)
		case !started.has(s.Name):
			containers = append(containers, s)
		}
	}
	if len(containers) == 0 {
		return SyncResult{}
	}
	return run(ctx, pod, append(volumes, containers...), ensure, true)
}

// run ensures the steps in order; all says whether a failed sidecar stops the pass too.
func run(ctx context.Context, pod *corev1.Pod, steps []Step, ensure EnsureFunc, all bool) SyncResult {
	var r SyncResult
	volumes := map[string]*Ensured{}
	for _, step := range steps {
		if step.Kind == ImageVolume {
			volumes[step.Name] = r.ensure(ctx, step, ensure)
			continue
		}
		start := r.start(ctx, pod, step, volumes, ensure)
		if start.Err != nil && (step.Kind == InitContainer || all && step.Kind == SidecarContainer) {
			break
		}
	}
	return r
}

func (r *SyncResult) ensure(ctx context.Context, step Step, ensure EnsureFunc) *Ensured {
	res, err := ensure(ctx, step)
	r.Ensured = append(r.Ensured, Ensured{Step: step, Result: res, Err: err})
	r.all = append(r.all, res.Events...)
	return &r.Ensured[len(r.Ensured)-1]
}

func (r *SyncResult) start(ctx context.Context, pod *corev1.Pod, step Step, volumes map[string]*Ensured, ensure EnsureFunc) Start {
	start := Start{Step: step}
	if c := container(pod, step); c != nil && len(volumes) > 0 {
		for _, m := range c.VolumeMounts {
			v, ok := volumes[m.Name]
			if !ok || v.Err == nil {
				continue
			}
			r.failed(step, v.Err)
			start.Err, start.Reason, start.Message = v.Err, Reason(v.Err), message(v)
		}
	}
	if start.Err == nil {
		e := *r.ensure(ctx, step, ensure)
		if e.Err != nil {
			r.failed(step, e.Err)
			start.Err, start.Reason, start.Message = e.Err, Reason(e.Err), message(&e)
		} else {
			start.ImageRef = e.Result.ImageRef
		}
	}
	r.Starts = append(r.Starts, start)
	return start
}

// message is the waiting message of a failed call: the message EnsureImageExists returned
// (Result.Message), or, when an EnsureFunc left it out, the error's.
func message(e *Ensured) string {
	if e.Result.Message != "" {
		return e.Result.Message
	}
	var ee *kubelet.EnsureError
	if errors.As(e.Err, &ee) {
		return ee.Message
	}
	return ""
}

// failed records the Failed event of a container whose image could not be ensured.
func (r *SyncResult) failed(step Step, err error) {
	e := FailedEvent(step, err)
	r.Events = append(r.Events, e)
	r.all = append(r.all, e)
}

// FailedEvent returns the event startContainer records when the image of step's container
// could not be ensured (kuberuntime_container.go:217-218): Warning, reason "Failed", message
// "Error: " followed by the gRPC status message of the error, which for the kubelet's image
// errors is the reason alone ("Error: ErrImagePull", "Error: ImagePullBackOff"), on the
// container's field path.
func FailedEvent(step Step, err error) kubelet.Event {
	return kubelet.Event{
		Type: kubelet.EventTypeWarning, Reason: EventReasonFailed,
		Message:   clip.String(eventErrorPrefix+Reason(err), clip.MaxMessage),
		FieldPath: step.FieldPath,
	}
}

// Reason returns the container's waiting reason for err: [kubelet.EnsureError.WaitingReason]
// ("ErrImagePull", …), or err's own text for another error, as the kubelet's reason cache
// keeps reason.Err.Error() (kubelet_pods.go:2785). It returns "" for nil.
func Reason(err error) string {
	var e *kubelet.EnsureError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.WaitingReason()
	default:
		return err.Error()
	}
}

// container returns the spec of step's container, nil for a volume.
func container(pod *corev1.Pod, step Step) *corev1.Container {
	switch step.Kind {
	case Container:
		return &pod.Spec.Containers[step.Index]
	case InitContainer, SidecarContainer:
		return &pod.Spec.InitContainers[step.Index]
	case EphemeralContainer:
		return (*corev1.Container)(&pod.Spec.EphemeralContainers[step.Index].EphemeralContainerCommon)
	}
	return nil
}
