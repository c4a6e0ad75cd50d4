package kubelet

import (
	"context"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/internal/redact"
	"github.com/imagepull/imagepull/pullpolicy"
)

// maskCredentials returns err with the secrets of creds masked in its text ("[redacted]"): the
// passwords, the base64 "user:password" and "auth" fields, the identity and registry tokens,
// in the forms a registry echoes them. A runtime's pull error and a resolver's error carry the
// registry's text, and a registry that repeats the Authorization header or the password would
// otherwise put the pod's credentials into Failed events (readable by anyone with get events
// in the namespace), waiting messages and logs. An err without any of them is returned as it
// is; a masked one still matches what the image manager tests with errors.Is.
func maskCredentials(creds []credential.Credential, err error) error {
	if err == nil || len(creds) == 0 {
		return err
	}
	var set redact.Set
	for i := range creds {
		c := &creds[i]
		set.AddBasic(c.Username, c.Password)
		if c.Auth != "" {
			set.Add(c.Auth)
			set.AddAuthorization("Basic " + c.Auth)
		}
		set.Add(c.IdentityToken)
		set.Add(c.RegistryToken)
	}
	return set.Error(err, context.Canceled, context.DeadlineExceeded, errPullQPSExceeded,
		pullpolicy.ErrRegistryUnavailable, pullpolicy.ErrSignatureValidationFailed)
}
