package kubelet

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Metrics receives what an [ImageManager] measures: the numbers behind the kubelet's image
// metrics, and a few beyond them. The package kubelet/metrics implements it on Prometheus
// under the kubelet's own metric names; the ImageManager itself links no metrics library.
//
// Implementations must be safe for concurrent use and fast: every method runs on the
// caller's goroutine, in the middle of [ImageManager.EnsureImageExists]. An implementation
// that embeds [NopMetrics] keeps compiling when methods are added.
type Metrics interface {
	// ObserveEnsure is called once per EnsureImageExists call, when it returns (the
	// kubelet's kubelet_image_manager_ensure_image_requests_total).
	ObserveEnsure(ctx context.Context, o EnsureObservation)
	// ObservePull is called once per pull that was let through the back-off, when its
	// outcome is known: a runtime pull, a refusal by the registry QPS limit, or a pull whose
	// context ended (the kubelet's kubelet_image_pull_duration_seconds, on success).
	ObservePull(ctx context.Context, o PullObservation)
	// ObserveBackOff is called when the back-off refuses a pull: no runtime call is made.
	ObserveBackOff(ctx context.Context)
	// ObserveOfflineFallback is called when a present image is started because the registry
	// is unavailable ([Config].OfflineFallback).
	ObserveOfflineFallback(ctx context.Context)
	// ObserveMustPullCheck is called with the result of every credential-verification check
	// of a present image (the kubelet's kubelet_imagemanager_image_mustpull_checks_total).
	pullmanager.Observer
}

// Answer is yes, no, or not determined: how the kubelet's ensure-image metric labels whether
// the image was present and whether a pull was required. The zero Answer is [AnswerUnknown].
type Answer uint8

// The three answers.
const (
	AnswerUnknown Answer = iota // not determined
	AnswerNo
	AnswerYes
)

// String returns the kubelet's label value: "unknown", "false" or "true".
func (a Answer) String() string {
	switch a {
	case AnswerNo:
		return "false"
	case AnswerYes:
		return "true"
	}
	return "unknown"
}

func answerOf(b bool) Answer {
	if b {
		return AnswerYes
	}
	return AnswerNo
}

// EnsureObservation describes one [ImageManager.EnsureImageExists] call as the kubelet's
// kubelet_image_manager_ensure_image_requests_total counts it.
//
// PresentLocally is known once the store was asked (never under Always, as in the kubelet;
// with a [Config].Resolver, once the store was asked for the digest). PullRequired is "no"
// when a present image was used, "yes" once a pull was needed (a pull refused by the
// back-off, failed or fallen back to a local image included), and unknown when the call
// ended before that was decided: an invalid name or policy, a store error, a failed
// credential check, or Never with the image absent.
type EnsureObservation struct {
	// Policy is the pull policy applied: the request's, or the default for its image. It may
	// be an invalid policy (the call then failed with ErrInvalidPolicy).
	Policy         pullpolicy.Policy
	PresentLocally Answer
	PullRequired   Answer
}

// PullOutcome is how a pull ended.
type PullOutcome uint8

// The outcomes of a pull.
const (
	// PullSucceeded: the runtime pulled the image.
	PullSucceeded PullOutcome = iota + 1
	// PullFailed: the runtime failed; Reason says how the kubelet classified it.
	PullFailed
	// PullRefusedByQPS: the registry QPS limit refused the pull ("pull QPS exceeded"); the
	// runtime was not called.
	PullRefusedByQPS
	// PullCanceled: the caller's context ended, while the pull waited for its turn or
	// during it.
	PullCanceled
)

// String returns "Succeeded", "Failed", "RefusedByQPS" or "Canceled".
func (o PullOutcome) String() string {
	switch o {
	case PullSucceeded:
		return "Succeeded"
	case PullFailed:
		return "Failed"
	case PullRefusedByQPS:
		return "RefusedByQPS"
	case PullCanceled:
		return "Canceled"
	}
	return "PullOutcome(" + strconv.Itoa(int(o)) + ")"
}

// PullObservation describes one pull as the [Metrics] see it.
type PullObservation struct {
	Outcome PullOutcome
	// Reason is, for PullFailed, the kubelet's classification: [pullpolicy.ErrImagePull],
	// [pullpolicy.ErrRegistryUnavailable] or [pullpolicy.ErrSignatureValidationFailed].
	Reason error
	// Duration runs from the Pulling event to the outcome, waiting for a pull slot included:
	// what the kubelet observes in kubelet_image_pull_duration_seconds.
	Duration time.Duration
	// Size is the image size the runtime reported, on success; 0 when unknown.
	Size int64
	// Shared reports that the outcome came from another caller's pull of the same image
	// ([Config].DeduplicatePulls): no runtime pull was made for this call.
	Shared bool
}

// NopMetrics is a [Metrics] that records nothing: what an [ImageManager] uses when
// [Config].Metrics is nil. Embed it in an implementation that wants only some of the
// methods.
type NopMetrics struct{}

var _ Metrics = NopMetrics{}

// ObserveEnsure does nothing.
func (NopMetrics) ObserveEnsure(context.Context, EnsureObservation) {}

// ObservePull does nothing.
func (NopMetrics) ObservePull(context.Context, PullObservation) {}

// ObserveBackOff does nothing.
func (NopMetrics) ObserveBackOff(context.Context) {}

// ObserveOfflineFallback does nothing.
func (NopMetrics) ObserveOfflineFallback(context.Context) {}

// ObserveMustPullCheck does nothing.
func (NopMetrics) ObserveMustPullCheck(context.Context, pullmanager.CheckResult) {}

// observation returns what the metrics get about a pull that ended with p and err after
// total.
func observation(p *pullOutcome, err error, total time.Duration) PullObservation {
	o := PullObservation{Duration: total, Shared: p.shared}
	switch {
	case err == nil:
		o.Outcome, o.Size = PullSucceeded, p.res.Size
	case errors.Is(err, errPullQPSExceeded):
		o.Outcome = PullRefusedByQPS
	case isContextErr(err):
		o.Outcome = PullCanceled
	default:
		o.Outcome, o.Reason = PullFailed, classifyPullErr("", err).reason
	}
	return o
}
