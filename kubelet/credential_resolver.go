package kubelet

import (
	"context"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
)

// CredentialResolver is a [Resolver] that can also ask the registry with a pod's credentials.
// It is optional: the [ImageManager] uses it, when its [Config].Resolver implements it, so that a
// private image is resolved with the credentials of the pod that asks for it.
//
// ResolveWithCredentials is Resolve with creds: the credentials that match img's repository,
// in the order to try them, exactly as a [Puller] receives them in [PullRequest].Credentials
// (for example credential.Union(podKeyring, nodeKeyring).Lookup(img.Repository())). An
// implementation tries them in order until the registry accepts one, and asks anonymously
// when creds is empty, answering then exactly as Resolve does (a cache shares the answers of
// the two); it may add credentials of its own (a node keyring) after creds. It must
// never answer one set of credentials with what the registry told another: a cache keys its
// answers by the credentials. The errors are those of Resolve. Implementations must be safe
// for concurrent use and must not keep creds beyond the call.
type CredentialResolver interface {
	ResolveWithCredentials(ctx context.Context, img reference.Image, creds []credential.Credential) (digest.Digest, error)
}

// WithCredentials returns a [Resolver] whose Resolve calls r.ResolveWithCredentials with
// creds, for handing a pod's credentials to [Decide]. creds are used as given, whatever image
// is resolved: match them for the image first ([credential.Keyring.Lookup]).
func WithCredentials(r CredentialResolver, creds []credential.Credential) pullpolicy.Resolver {
	return pullpolicy.ResolverFunc(func(ctx context.Context, img reference.Image) (digest.Digest, error) {
		return r.ResolveWithCredentials(ctx, img, creds)
	})
}
