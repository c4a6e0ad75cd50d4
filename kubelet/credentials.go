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
// error (an unparsable Secret, a failing provider) is returned raw, as the kubelet does.
func (l *credLookup) get() ([]credential.Credential, error) {
	if !l.done {
		l.done = true
		l.creds, l.err = l.lookup()
	}
	return l.creds, l.err
}

func (l *credLookup) lookup() ([]credential.Credential, error) {
	pod, err := credential.FromSecrets(l.req.PullSecrets)
	if err != nil {
		return nil, err
	}
	creds := credential.Union(pod, l.m.keyring).Lookup(l.repo)
	if l.m.provider != nil {
		more, err := l.m.provider.Credentials(l.ctx, &l.req.Pod, l.repo)
		if err != nil {
			return nil, err
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
