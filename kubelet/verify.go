package kubelet

import (
	"time"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// The image manager's use of the credential [pullmanager.Manager] (KEP-2535, the kubelet's ImagePullManager).

// newManagerVerifier builds the pull manager that cfg describes, on the image manager's clock.
func newManagerVerifier(cfg *Config, now func() time.Time) (*pullmanager.Manager, error) {
	return pullmanager.New(pullmanager.Config{
		Policy:    cfg.VerificationPolicy,
		Allowlist: cfg.Allowlist,
		Records:   cfg.Records,
		Now:       now,
		Logger:    cfg.Logger,
		Observer:  cfg.checkObserver(),
	})
}

// PullManager returns the image manager's credential verifier (KEP-2535), or nil when
// credential verification is off. The image manager recovers interrupted pulls at startup by
// itself when its Store is an [ImageLister]; call [pullmanager.Manager.PruneUnknownRecords]
// after each image garbage collection, as the kubelet does.
func (m *ImageManager) PullManager() *pullmanager.Manager { return m.verify }

// mustPull is MustAttemptImagePull for the present image ref: whether the pod must pull it
// to prove its access. The pod's credentials are looked up only if the records need them.
func (c *ensureCall) mustPull(ref string) (bool, error) {
	return c.m.verify.MustAttemptImagePull(c.ctx, c.req.Image, ref, c.podCredentials)
}

// podCredentials is the kubelet's getPodCredentials: the Secret- and service-account-sourced
// credentials among those that match the image.
func (c *ensureCall) podCredentials() (pullmanager.PodCredentials, error) {
	creds, err := c.creds.get()
	if err != nil {
		return pullmanager.PodCredentials{}, err
	}
	return pullmanager.PodCredentialsFrom(creds), nil
}

// checkObserver returns the Metrics as the verifier's observer, or nil (not a typed nil).
func (c *Config) checkObserver() pullmanager.Observer {
	if c.Metrics == nil {
		return nil
	}
	return c.Metrics
}
