package kubelet

import (
	"context"

	"github.com/imagepull/imagepull/credential"
)

// credLookup is the kubelet's lazy credential lookup for one EnsureImageExists call: it builds the
// keyring (the pod's Secrets, then the node keyring, then the credential provider) and looks
// up the image's repository at most once, and only when a pull or a credential check needs
// it. It is used by one goroutine.
type credLookup struct {
	m     *ImageManager
	ctx   context.Context
	req   *Request
	repo  string // the image's normalised repository: "docker.io/library/nginx"
	done  bool
	creds []credential.Credential
	err   error
}

// get returns the credentials that match the image, in the order the pull tries them. An
// unparsable Secret's error is returned raw, as the kubelet does; a credential provider's
// error is logged and the lookup goes on without its credentials, as the kubelet does with a
// failing plugin.
func (l *credLookup) get() ([]credential.Credential, error) {
	if !l.done {
		l.done = true
		l.creds, l.err = l.lookup()
	}
	return l.creds, l.err
}

func (l *credLookup) lookup() ([]credential.Credential, error) {
	pod, err := l.m.secrets.FromSecrets(l.req.PullSecrets) // parsed once per Secret content
	if err != nil {
		return nil, err
	}
	creds := credential.Union(pod, l.m.keyring).Lookup(l.repo)
	if l.m.provider != nil {
		p := &l.req.Pod
		more, err := l.m.provider.Credentials(l.ctx, credential.ProviderRequest{Image: l.req.Image, Repository: l.repo,
			Pod: credential.Pod{Namespace: p.Namespace, Name: p.Name, UID: p.UID, ServiceAccount: p.ServiceAccount, Annotations: p.Annotations}})
		if err != nil {
			l.m.log.Error("failed getting credentials from the credential provider", "image", l.req.Image, "err", err)
		}
		creds = append(creds, more...)
	}
	if l.m.verify == nil {
		untrack(creds)
	}
	return creds, nil
}

// untrack drops every credential's source and hash, as the kubelet's NewTrackedAuthConfig does
// while the KubeletEnsureSecretPulledImages feature gate is off: the runtime then gets the auth
// fields alone.
func untrack(creds []credential.Credential) {
	for i := range creds {
		creds[i].Source, creds[i].Hash = credential.Source{}, ""
	}
}
