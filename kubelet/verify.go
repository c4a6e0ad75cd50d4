package kubelet

import (
	"time"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// The Manager's use of the credential [Verifier] (KEP-2535, the kubelet's ImagePullManager).

// newManagerVerifier builds the Verifier that cfg describes, on the Manager's clock.
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

// Verifier returns the Manager's credential verifier, or nil when credential verification is
// off. Call its [pullmanager.Manager.Initialize] once at startup with the runtime's images, and its
// [pullmanager.Manager.PruneUnknownRecords] after image garbage collection, as the kubelet does.
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
