package pullpolicy

import "time"

// The Manager's use of the credential [Verifier] (KEP-2535, the kubelet's ImagePullManager).

// newManagerVerifier builds the Verifier that cfg describes, on the Manager's clock.
func newManagerVerifier(cfg *Config, now func() time.Time) (*Verifier, error) {
	return NewVerifier(VerifierConfig{
		Policy:    cfg.VerificationPolicy,
		Allowlist: cfg.Allowlist,
		Records:   cfg.Records,
		Now:       now,
		Logger:    cfg.Logger,
	})
}

// Verifier returns the Manager's credential verifier, or nil when credential verification is
// off. Call its [Verifier.Initialize] once at startup with the runtime's images, and its
// [Verifier.PruneUnknownRecords] after image garbage collection, as the kubelet does.
func (m *Manager) Verifier() *Verifier { return m.verify }

// mustPull is MustAttemptImagePull for the present image ref: whether the pod must pull it
// to prove its access. The pod's credentials are looked up only if the records need them.
func (c *ensureCall) mustPull(ref string) (bool, error) {
	return c.m.verify.MustAttemptImagePull(c.ctx, c.req.Image, ref, c.podCredentials)
}

// podCredentials is the kubelet's getPodCredentials: the Secret- and service-account-sourced
// credentials among those that match the image.
func (c *ensureCall) podCredentials() (PodCredentials, error) {
	creds, err := c.creds.get()
	if err != nil {
		return PodCredentials{}, err
	}
	return PodCredentialsFrom(creds), nil
}
