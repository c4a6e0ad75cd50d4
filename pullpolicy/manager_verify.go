//go:build managerwip

package pullpolicy

import (
	"context"

	"github.com/imagepull/imagepull/credential"
)

// verification is the Manager's view of credential verification (KEP-2535): whether a pod
// may use a present image, and the records of pulls.
type verification interface {
	// mustPull is MustAttemptImagePull: whether the pod must pull the present image imageRef
	// (named image by the pod) to prove its access. creds is called at most when needed.
	mustPull(ctx context.Context, image, imageRef string, creds func() ([]credential.Credential, error)) (bool, error)
	recordIntent(ctx context.Context, image string) error
	recordPulled(ctx context.Context, image, imageRef string, used *credential.Credential)
	recordFailed(ctx context.Context, image string)
}
