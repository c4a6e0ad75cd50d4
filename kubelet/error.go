package kubelet

import (
	"errors"
	"strings"

	"github.com/imagepull/imagepull/pullpolicy"
)

// EnsureError is the error [ImageManager.EnsureImageExists] returns. Its text says what
// happened: "<reason>: <message>", such as `ErrImagePull: failed to pull and unpack image
// "docker.io/library/app:v1": … 401 Unauthorized`, or the cause's own text for a
// credential-lookup or pull-record failure that the kubelet returns raw.
//
// The kubelet's waiting reason, for the container status and the kubelet's `Error: <reason>`
// event, is [EnsureError.WaitingReason]; Message is state.waiting.message, the same as
// [Result].Message. errors.Is matches Reason (so errors.Is(err, pullpolicy.ErrImagePull)
// works) and the cause (so a cancelled pull matches context.Canceled).
type EnsureError struct {
	Reason  error  // one of pullpolicy's sentinels, or nil when the kubelet returns Err raw
	Message string // the kubelet's message for the pod status, verbatim
	Err     error  // the underlying cause, or nil
}

// Error returns "<reason>: <message>", or the waiting reason alone when there is no message.
func (e *EnsureError) Error() string {
	reason := e.WaitingReason()
	if e.Reason == nil || e.Message == "" || e.Message == reason {
		return reason
	}
	return reason + ": " + e.Message
}

// WaitingReason returns what the kubelet puts in the container's state.waiting.reason:
// Reason's text ("ErrImagePull", "ImagePullBackOff", …), or, when the kubelet returns the
// cause raw, the cause's own text.
func (e *EnsureError) WaitingReason() string {
	switch {
	case e.Reason != nil:
		return e.Reason.Error()
	case e.Err != nil:
		return e.Err.Error()
	default:
		return "kubelet: unknown image error"
	}
}

// Unwrap returns Reason and Err, when set.
func (e *EnsureError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Reason != nil {
		errs = append(errs, e.Reason)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// classifyPullErr is the kubelet's evalCRIPullErr: the runtime's error is classified by the
// prefix of its text, because gRPC errors cannot be matched with errors.Is. An aggregate of
// several credential failures starts with "[" and so is always ErrImagePull.
func classifyPullErr(image string, err error) failure {
	text := err.Error()
	if rest, ok := strings.CutPrefix(text, pullpolicy.ErrRegistryUnavailable.Error()); ok {
		return failure{pullpolicy.ErrRegistryUnavailable, "image pull failed for " + image + msgRegistryUnavailable + rest}
	}
	if rest, ok := strings.CutPrefix(text, pullpolicy.ErrSignatureValidationFailed.Error()); ok {
		return failure{pullpolicy.ErrSignatureValidationFailed, "image pull failed for " + image + msgSignatureFailed + rest}
	}
	return failure{pullpolicy.ErrImagePull, text}
}

// classifyResolveErr classifies a [Resolver] failure: unlike a runtime's, a resolver's error
// is a Go error, so errors.Is decides; the messages are those of a pull failure.
func classifyResolveErr(image string, err error) failure {
	if errors.Is(err, pullpolicy.ErrRegistryUnavailable) {
		rest := strings.TrimPrefix(err.Error(), pullpolicy.ErrRegistryUnavailable.Error())
		if rest == err.Error() {
			rest = ": " + rest
		}
		return failure{pullpolicy.ErrRegistryUnavailable, "image pull failed for " + image + msgRegistryUnavailable + rest}
	}
	return failure{pullpolicy.ErrImagePull, err.Error()}
}
