package pullpolicy

import "errors"

// The kubelet's image errors. Each text is verbatim the container's waiting reason in the pod
// status (pkg/kubelet/images/types.go and k8s.io/cri-api/pkg/errors). Compare with errors.Is.
var (
	// ErrImagePullBackOff: a pull was refused because an earlier one failed recently.
	ErrImagePullBackOff = errors.New("ImagePullBackOff")
	// ErrImageInspect: the local image store could not be asked whether the image is present.
	ErrImageInspect = errors.New("ImageInspectError")
	// ErrImagePull: the pull (or the registry's answer) failed for a reason other than
	// the ones below.
	ErrImagePull = errors.New("ErrImagePull")
	// ErrImageNeverPull: the policy is Never and the image is not present (or not usable).
	ErrImageNeverPull = errors.New("ErrImageNeverPull")
	// ErrInvalidImageName: the image string does not parse.
	ErrInvalidImageName = errors.New("InvalidImageName")
	// ErrRegistryUnavailable: the registry could not be reached. Resolvers wrap it.
	ErrRegistryUnavailable = errors.New("RegistryUnavailable")
	// ErrSignatureValidationFailed: the runtime refused the image's signature.
	ErrSignatureValidationFailed = errors.New("SignatureValidationFailed")
)

// ErrInvalidPolicy is matched by the errors of [ParsePolicy], and by [Decide]'s error for a
// policy other than the three Kubernetes accepts. It is not a kubelet reason: the API server
// rejects such a policy before the kubelet sees it.
var ErrInvalidPolicy = errors.New("invalid image pull policy")

// ErrMisuse is matched by the error of a call that cannot work as made, such as [Decide]
// with a nil [Store] where one is needed. It is a programming error, not a kubelet reason.
var ErrMisuse = errors.New("pullpolicy: misuse")

// Error is the error [Decide] returns. Reason is one of the sentinels above, so
// errors.Is(err, ErrImageNeverPull) works; Err, when set, is the underlying cause (a store or
// resolver failure), so errors.Is(err, context.Canceled) works too.
//
// Error's text is "<Reason>: <Message>", the form in which the kubelet remembers a failure
// for its back-off message: `ErrImageNeverPull: Container image "nginx" is not present with
// pull policy of Never`.
type Error struct {
	Reason  error  // the kind of failure: one of the sentinels of this package
	Image   string // the image as the user wrote it
	Policy  Policy // the effective policy
	Message string // the kubelet's message for the pod status, verbatim
	Err     error  // the underlying cause, or nil
}

// Error returns "<Reason>: <Message>".
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Reason.Error()
	}
	return e.Reason.Error() + ": " + e.Message
}

// Unwrap returns Reason and, when set, Err.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Err}
}
