package kubelet

import (
	"context"
	"strconv"
	"time"

	"github.com/imagepull/imagepull/internal/quote"
)

// The two Kubernetes event types.
const (
	EventTypeNormal  = "Normal"
	EventTypeWarning = "Warning"
)

// ReasonOfflineFallback is the reason of the Warning event the [ImageManager] emits when it starts
// a container from a local image because the registry is unavailable ([Config].OfflineFallback).
// The kubelet has no such event.
const ReasonOfflineFallback = "OfflineFallback"

// Event is one event the [ImageManager] emits about a container's image, as the kubelet records it
// on the container: its type ([EventTypeNormal] or [EventTypeWarning]), its reason (such as
// [ReasonPulling]) and its message, verbatim.
type Event struct {
	Type    string // EventTypeNormal or EventTypeWarning
	Reason  string // pullpolicy.ReasonPulling, pullpolicy.ReasonPulled, …
	Message string // verbatim
	// FieldPath is the field path of the event's object reference ([Request.FieldPath]):
	// "spec.containers{app}", or "" when the event is about the pod itself.
	FieldPath string
}

// String returns "Type Reason Message", the way kubectl lists an event.
func (e Event) String() string { return e.Type + " " + e.Reason + " " + e.Message }

// EventRecorder receives the [ImageManager]'s events as they happen, in order, for the container
// of req. Implementations must be safe for concurrent use and should not block: they run on
// the caller's goroutine in the middle of [ImageManager.EnsureImageExists].
type EventRecorder interface {
	Event(ctx context.Context, req *Request, e Event)
}

// EventRecorderFunc adapts a function to the [EventRecorder] interface.
type EventRecorderFunc func(ctx context.Context, req *Request, e Event)

// Event calls f(ctx, req, e).
func (f EventRecorderFunc) Event(ctx context.Context, req *Request, e Event) { f(ctx, req, e) }

// The kubelet's event messages (pkg/kubelet/images/image_manager.go), verbatim. The image is
// always the container's image string as requested.
func msgApplyDefaultTag(image string, err error) string {
	return quote.Wrap("Failed to apply default image tag ", image, ": "+err.Error())
}

// msgInspect quotes the kubelet's (always empty) imageRef variable, never the image.
func msgInspect(err error) string { return `Failed to inspect image "": ` + err.Error() }

func msgNeverPull(image string) string {
	return quote.Wrap("Container image ", image, " is not present with pull policy of Never")
}

func msgPresent(image string) string {
	return quote.Wrap("Container image ", image, " already present on machine")
}

func msgPresentVerified(image string) string {
	return quote.Wrap("Container image ", image, " already present on machine and can be accessed by the pod")
}

func msgIntent(image string, err error) string {
	return quote.Wrap("Failed to record image pull intent for container image ", image, ": "+err.Error())
}

func msgBackOff(image string) string { return quote.Wrap("Back-off pulling image ", image, "") }

func msgPulling(image string) string { return quote.Wrap("Pulling image ", image, "") }

func msgPullFailed(image string, err error) string {
	return quote.Wrap("Failed to pull image ", image, ": "+err.Error())
}

// msgPulled is the kubelet's success message; both durations are truncated to milliseconds.
func msgPulled(image string, pull, total time.Duration, size int64) string {
	return quote.Wrap("Successfully pulled image ", image, " in "+pull.Truncate(time.Millisecond).String()+
		" ("+total.Truncate(time.Millisecond).String()+" including waiting). Image size: "+
		strconv.FormatInt(size, 10)+" bytes.")
}

const (
	msgRegistryUnavailable = " because the registry is unavailable"
	msgSignatureFailed     = " because the signature validation failed"
)
