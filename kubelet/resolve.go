package kubelet

import (
	"errors"
	"fmt"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/internal/quote"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
)

// ensureResolved is the Always policy with a [Resolver] (beyond the kubelet): the registry
// names the digest once; the image with that digest, present and usable by the pod, starts
// without a pull; otherwise that digest is pulled, never the tag. The back-off also holds
// back the resolve. A [CredentialResolver] gets the pod's credentials, looked up first as for
// a pull (a lookup error fails the call with the raw error, as the pull would).
func (c *ensureCall) ensureResolved() (string, string, error) {
	m, image := c.m, c.req.Image
	c.required = AnswerYes // as for Always without a Resolver, until the store is asked
	var creds []credential.Credential
	if _, ok := m.resolver.(CredentialResolver); ok {
		var err error
		if creds, err = c.creds.get(); err != nil {
			return c.raw(err)
		}
	}
	key := backOffKey(c.req.Pod.UID, image)
	if _, blocked := m.backOff.blocked(key, m.now()); blocked {
		return c.pull(c.spec) // refused by the back-off, with the kubelet's events
	}
	d, stale, err := c.resolve(creds)
	if err != nil {
		err = maskCredentials(creds, err)
		c.event(EventTypeWarning, pullpolicy.ReasonFailed, msgPullFailed(image, err))
		f := classifyResolveErr(image, err)
		m.backOff.next(key, m.now(), f)
		if f.reason == pullpolicy.ErrRegistryUnavailable {
			target := c.img
			if stale != "" {
				target = c.img.WithDigest(stale)
			}
			if ref, msg, ok := c.fallback(f.msg, target); ok {
				return ref, msg, nil
			}
		}
		return c.fail(f.reason, f.msg, err)
	}
	pinned := c.img.WithDigest(d)
	local, ok, err := m.store.Lookup(c.ctx, pinned)
	if err != nil {
		c.required = AnswerUnknown
		msg := msgInspect(err)
		c.event(EventTypeWarning, pullpolicy.ReasonInspectFailed, msg)
		return c.fail(pullpolicy.ErrImageInspect, msg, err)
	}
	c.present = answerOf(ok && local.ID != "")
	if ok && local.ID != "" {
		suffix := " (registry digest " + string(d) + ")"
		msgs := presentMessages{
			plain:    func(image string) string { return msgPresent(image) + suffix },
			verified: func(image string) string { return msgPresent(image) + suffix + " and can be accessed by the pod" },
		}
		if done, ref, msg, err := c.usePresent(local.ID, msgs); done {
			return ref, msg, err
		}
	}
	c.required = AnswerYes
	return c.pull(pinned.Familiar())
}

// resolve asks the resolver for the image's digest, with the pod's credentials when the
// resolver is a [CredentialResolver], and checks the answer. A stale answer (the registry is
// unavailable) is an error; its digest is returned for the offline fallback.
func (c *ensureCall) resolve(creds []credential.Credential) (d, stale digest.Digest, err error) {
	if cr, ok := c.m.resolver.(CredentialResolver); ok {
		d, err = cr.ResolveWithCredentials(c.ctx, c.img, creds)
	} else {
		d, err = c.m.resolver.Resolve(c.ctx, c.img)
	}
	if err != nil {
		var se *pullpolicy.StaleError
		if errors.As(err, &se) && se.Digest.Validate() == nil {
			stale = se.Digest
		}
		return "", stale, err
	}
	if err := d.Validate(); err != nil {
		return "", "", fmt.Errorf("registry returned an invalid digest %q for %s: %w", string(d), c.img, err)
	}
	if want := c.img.Digest(); want != "" && d != want {
		return "", "", fmt.Errorf("registry returned digest %s for %s", d, c.img)
	}
	return d, "", nil
}

// fallback is the offline fallback (beyond the kubelet): when unavailable (the
// registry-unavailable message) is set and [Config].OfflineFallback is on, target, if present
// and usable by the pod as credential verification decides, is started with a Warning event.
// A pod that would have to prove its access to the registry never gets the image this way.
func (c *ensureCall) fallback(unavailable string, target reference.Image) (string, string, bool) {
	if !c.m.offline || unavailable == "" {
		return "", "", false
	}
	local, ok, err := c.m.store.Lookup(c.ctx, target)
	if err != nil || !ok || local.ID == "" {
		return "", "", false
	}
	if v := c.m.verify; v != nil {
		if must, err := c.mustPull(local.ID); err != nil || must {
			return "", "", false
		}
	}
	msg := quote.Wrap("Container image ", c.req.Image, " already present on machine is used: ") + unavailable
	c.event(EventTypeWarning, ReasonOfflineFallback, msg)
	c.m.metrics.ObserveOfflineFallback(c.ctx)
	return local.ID, msg, true
}
