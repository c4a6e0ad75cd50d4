package kubelet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

// attemptOutcome is the outcome of one pull attempt: a pull, or a refusal by the back-off.
type attemptOutcome struct {
	res     PullResult
	failure failure // the kubelet's reason and message, on failure
	err     error   // the cause: the runtime's error, or nil for a back-off refusal
	// unavailable is the registry-unavailable message when the attempt failed because the
	// registry could not be reached (now, or at the failure the back-off remembers), else "".
	unavailable string
	// ran is set when the runtime was asked to pull (this caller's pull or a shared one), so
	// that the image may be on the node whatever the outcome.
	ran bool
}

func (o *attemptOutcome) ok() bool { return o.failure.reason == nil }

// pull is the kubelet's pullImage for the runtime image string pullImage: credentials, intent
// record, back-off, the pull itself, and the pulled or failed record.
func (c *ensureCall) pull(pullImage string) (string, string, error) {
	creds, err := c.creds.get()
	if err != nil {
		return c.raw(err)
	}
	image, v := c.req.Image, c.m.verify
	if v != nil {
		if err := v.RecordPullIntent(image); err != nil {
			return c.fail(nil, msgIntent(image, err), err)
		}
	}
	out := c.attempt(pullImage, creds)
	if v != nil {
		switch {
		case out.ok():
			v.RecordImagePulled(image, out.res.ImageRef, pullmanager.CredentialsFor(out.res.Credential))
		case out.ran && c.ctx.Err() != nil:
			// Stricter than the kubelet: a runtime that honours the cancellation (cri.Client does,
			// through gRPC) may have stored the image before it answered ctx's error. The intent
			// is kept, so the image counts as pulled by the kubelet and every other pod must
			// verify its credentials; the kubelet's pullImage calls RecordImagePullFailed here
			// (pkg/kubelet/images/image_manager.go:334-340) and the image then reads as
			// preloaded. The pull stays counted in flight for the rest of the process, and a
			// file intent is turned into a record at the next start if the image is present.
			c.m.log.LogAttrs(c.ctx, slog.LevelInfo, "image pull intent kept: the pull failed after its context ended",
				slog.String("pod", c.req.Pod.Name), slog.String("namespace", c.req.Pod.Namespace),
				slog.String("image", image))
		default:
			v.RecordImagePullFailed(image)
		}
	}
	if out.ok() {
		return out.res.ImageRef, "", nil
	}
	if ref, msg, ok := c.fallback(out.unavailable, c.img); ok {
		return ref, msg, nil
	}
	return c.fail(out.failure.reason, out.failure.msg, out.err)
}

// attempt checks the back-off and, when it allows, runs the pull and emits its events.
func (c *ensureCall) attempt(pullImage string, creds []credential.Credential) attemptOutcome {
	m, image := c.m, c.req.Image
	key := backOffKey(c.req.Pod.UID, image)
	if prev, blocked := m.backOff.blocked(key, m.now()); blocked {
		msg := msgBackOff(image)
		c.event(EventTypeNormal, pullpolicy.ReasonBackOff, msg)
		m.metrics.ObserveBackOff(c.ctx)
		out := attemptOutcome{failure: failure{pullpolicy.ErrImagePullBackOff, msg}}
		if prev.reason != nil {
			out.failure.msg += ": " + prev.reason.Error() + ": " + prev.msg
		}
		if prev.reason == pullpolicy.ErrRegistryUnavailable {
			out.unavailable = prev.msg
		}
		return out
	}
	m.backOff.attempt(key)
	c.event(EventTypeNormal, pullpolicy.ReasonPulling, msgPulling(image))
	start := m.now()
	req := PullRequest{
		Image:          pullImage,
		Credentials:    creds,
		RuntimeHandler: c.req.RuntimeHandler,
		Annotations:    c.req.Pod.Annotations,
		Sandbox:        Sandbox{Name: c.req.Pod.Name, Namespace: c.req.Pod.Namespace, UID: c.req.Pod.UID},
	}
	p, err := m.runPull(c.ctx, &req)
	total := m.now().Sub(start)
	ran := err == nil && !p.skipped && !errors.Is(p.err, errPullQPSExceeded)
	if err == nil {
		err = maskCredentials(creds, p.err)
	}
	c.reportPull(&p, err, total)
	if err != nil {
		c.event(EventTypeWarning, pullpolicy.ReasonFailed, msgPullFailed(image, err))
		f := classifyPullErr(image, err)
		m.backOff.next(key, m.now(), f)
		out := attemptOutcome{failure: f, err: err, ran: ran}
		if f.reason == pullpolicy.ErrRegistryUnavailable {
			out.unavailable = f.msg
		}
		return out
	}
	p.res.Credential = ownCredential(creds, p.res.Credential)
	c.event(EventTypeNormal, pullpolicy.ReasonPulled, msgPulled(image, p.dur, total, p.res.Size))
	m.backOff.gc(m.now())
	return attemptOutcome{res: p.res}
}

// runPull runs req through the de-duplication, the pull slots and the QPS limit.
func (m *ImageManager) runPull(ctx context.Context, req *PullRequest) (pullOutcome, error) {
	run := func() (pullOutcome, error) {
		return m.slots.do(ctx, func() pullOutcome { return m.execute(ctx, req) })
	}
	if m.flights == nil {
		return run()
	}
	out, _, err := m.flights.do(ctx, pullKey(req), run)
	return out, err
}

// execute is one runtime pull in its slot: the QPS limiter may refuse it without calling the
// runtime; a success without an image ID is an error, as the kubelet's CRI client makes it. A
// Puller that panics fails this pull only ([PullerPanicError]); the queue keeps serving.
func (m *ImageManager) execute(ctx context.Context, req *PullRequest) pullOutcome {
	if m.bucket != nil && !m.bucket.tryAccept(m.now()) {
		return pullOutcome{err: errPullQPSExceeded}
	}
	start := m.now()
	res, err := m.callPuller(ctx, req)
	dur := m.now().Sub(start)
	if err == nil && res.ImageRef == "" {
		err = fmt.Errorf("imageRef of image %q is not set", req.Image)
	}
	return pullOutcome{res: res, dur: dur, err: err}
}
