package plugin

import (
	"errors"
	"strconv"
)

// Sentinels classify every error of this package; match them with errors.Is. An error's text
// is the kubelet's message where the kubelet has one.
var (
	// ErrInvalidConfig marks a CredentialProviderConfig that cannot be read, decoded or
	// validated, and options that contradict it.
	ErrInvalidConfig = errors.New("invalid credential provider config")
	// ErrPluginNotFound marks a plugin binary (or plugin directory) that is missing, is not an
	// executable regular file, or resolves outside the plugin directory.
	ErrPluginNotFound = errors.New("credential provider plugin not found")
	// ErrPluginExec marks a plugin run that did not complete: the binary did not start,
	// exited with a non-zero status, or was killed when it outlived the timeout (the error
	// then also matches context.DeadlineExceeded).
	ErrPluginExec = errors.New("credential provider plugin failed")
	// ErrInvalidResponse marks a plugin whose stdout is not a usable CredentialProviderResponse:
	// too large, not JSON, of the wrong kind or apiVersion, with unknown fields, with an
	// invalid cacheKeyType, or echoing the service account token where that is not allowed.
	ErrInvalidResponse = errors.New("invalid credential provider response")
	// ErrServiceAccount marks a failure to read the pod's service account or to obtain a
	// token for it (service-account mode, KEP-4412).
	ErrServiceAccount = errors.New("service account token unavailable")
)

// Error is an error of one credential provider plugin, or of the configuration when Provider is
// empty. Reason is one of the sentinels above; errors.Is matches both Reason and Err.
type Error struct {
	Provider string // the provider's name; "" for an error about the whole configuration
	Reason   error  // ErrInvalidConfig, ErrPluginNotFound, ErrPluginExec, …
	Err      error  // what went wrong, in the kubelet's words where it has them
}

// Error returns Err's text, after `credential provider "NAME": ` when the error is about one
// provider.
func (e *Error) Error() string {
	if e.Provider == "" {
		return e.Err.Error()
	}
	return "credential provider " + strconv.Quote(e.Provider) + ": " + e.Err.Error()
}

// Unwrap returns Reason and Err.
func (e *Error) Unwrap() []error { return []error{e.Reason, e.Err} }

// providerError returns err as an *Error of the named provider with reason.
func providerError(name string, reason, err error) *Error {
	return &Error{Provider: name, Reason: reason, Err: err}
}

// configError returns err as an *Error about the configuration.
func configError(err error) *Error {
	return &Error{Reason: ErrInvalidConfig, Err: err}
}
