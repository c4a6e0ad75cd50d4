package kubelet

import (
	"context"
	"strings"

	"github.com/imagepull/imagepull/credential"
)

// PullAttempt is one pull through the runtime with one credential (nil: anonymous), as a
// [Puller] built on [PullEach] makes it.
type PullAttempt func(ctx context.Context, cred *credential.Credential) (PullResult, error)

// PullEach tries creds the way the kubelet's runtime manager hands them to the container
// runtime (pkg/kubelet/kuberuntime/kuberuntime_image.go:33-71), so that a [Puller] needs to
// write only one attempt:
//
//   - with no credentials, one anonymous attempt (cred nil), its error returned as it is;
//   - otherwise one attempt per credential, in order, until one succeeds; the result's
//     Credential is a copy of that credential;
//   - when every attempt fails, the errors are aggregated as the kubelet's
//     utilerrors.NewAggregate prints them: a single error as it is, otherwise the distinct
//     messages in order, "[e1, e2]", or the one message when they all read the same.
//     errors.Is and errors.As see every error.
//
// Once ctx is done no further attempt is made: the kubelet's would each fail at once with
// the same cancellation, which the aggregate prints once anyway.
func PullEach(ctx context.Context, creds []credential.Credential, attempt PullAttempt) (PullResult, error) {
	if len(creds) == 0 {
		return attempt(ctx, nil)
	}
	errs := make([]error, 0, len(creds))
	for i := range creds {
		cred := creds[i]
		res, err := attempt(ctx, &cred)
		if err == nil {
			res.Credential = &cred
			return res, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return PullResult{}, aggregate(errs)
}

// aggregateError is the error of a pull for which every credential failed. Its text is the
// kubelet's utilerrors.NewAggregate (k8s.io/apimachinery/pkg/util/errors/errors.go): the
// messages in order with duplicates dropped, the only distinct message alone, several as
// "[m1, m2]".
type aggregateError []error

func (a aggregateError) Error() string {
	seen := make(map[string]bool, len(a))
	msgs := make([]string, 0, len(a))
	for _, err := range a {
		if m := err.Error(); !seen[m] {
			seen[m] = true
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 1 {
		return msgs[0]
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}

func (a aggregateError) Unwrap() []error { return a }

// aggregate returns nil for no errors, the error itself for one, an aggregateError otherwise.
func aggregate(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	default:
		return aggregateError(errs)
	}
}
