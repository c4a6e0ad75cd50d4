package kubelet

import (
	"errors"
	"log/slog"
	"time"

	"github.com/imagepull/imagepull/pullpolicy"
)

// What an ImageManager reports besides events: per EnsureImageExists call, an
// EnsureObservation to the Metrics and a debug line to the Logger; per pull, a
// PullObservation and an info line. The log lines have stable keys: pod, namespace,
// container, image, policy, action, reason, duration (and, for a pull, outcome, size,
// imageRef, shared, err). Credentials are never logged: neither the pull Secrets nor what the
// keyring or the credential provider gave.

// begin starts the call's report: the clock is read only when the decision is logged.
func (c *ensureCall) begin() {
	if c.m.log != nil && c.m.log.Enabled(c.ctx, slog.LevelDebug) {
		c.logged, c.start = true, c.m.now()
	}
}

// end reports the call's decision, which ended with err.
func (c *ensureCall) end(err error) {
	policy := c.policy
	if policy == "" { // the call ended before the policy was defaulted: an invalid name
		policy = c.req.Policy
		if policy == "" {
			policy = pullpolicy.Default(c.req.Image)
		}
	}
	c.m.metrics.ObserveEnsure(c.ctx, EnsureObservation{Policy: policy, PresentLocally: c.present, PullRequired: c.required})
	if !c.logged {
		return
	}
	action, reason := pullpolicy.UseLocal, ""
	switch {
	case err != nil:
		action, reason = pullpolicy.Fail, reasonOf(err)
	case c.pulled:
		action = pullpolicy.Pull
	}
	if err == nil && len(c.events) > 0 {
		reason = c.events[len(c.events)-1].Reason
	}
	c.m.log.LogAttrs(c.ctx, slog.LevelDebug, "image decision",
		slog.String("pod", c.req.Pod.Name),
		slog.String("namespace", c.req.Pod.Namespace),
		slog.String("container", c.req.Container),
		slog.String("image", c.req.Image),
		slog.String("policy", string(policy)),
		slog.String("action", action.String()),
		slog.String("reason", reason),
		slog.Duration("duration", c.m.now().Sub(c.start)))
}

// reportPull reports a pull that ended with p and err after total (from the Pulling event).
func (c *ensureCall) reportPull(p *pullOutcome, err error, total time.Duration) {
	o := observation(p, err, total)
	c.m.metrics.ObservePull(c.ctx, o)
	c.pulled = o.Outcome == PullSucceeded
	if c.m.log == nil || !c.m.log.Enabled(c.ctx, slog.LevelInfo) {
		return
	}
	attrs := []slog.Attr{
		slog.String("pod", c.req.Pod.Name),
		slog.String("namespace", c.req.Pod.Namespace),
		slog.String("container", c.req.Container),
		slog.String("image", c.req.Image),
		slog.String("policy", string(c.policy)),
		slog.String("action", pullpolicy.Pull.String()),
		slog.String("reason", pullpolicy.ReasonPulled),
		slog.Duration("duration", total),
		slog.String("outcome", o.Outcome.String()),
		slog.Bool("shared", o.Shared),
	}
	if err != nil {
		reason := pullpolicy.ErrImagePull
		if o.Reason != nil {
			reason = o.Reason
		}
		attrs[6] = slog.String("reason", reason.Error())
		c.m.log.LogAttrs(c.ctx, slog.LevelInfo, "image pull failed", append(attrs, slog.String("err", err.Error()))...)
		return
	}
	c.m.log.LogAttrs(c.ctx, slog.LevelInfo, "image pulled",
		append(attrs, slog.String("imageRef", p.res.ImageRef), slog.Int64("size", p.res.Size))...)
}

// reasonOf returns the waiting reason of a failed call: its sentinel's text, or "Error" for
// a failure the kubelet returns raw (whose text may say more than a log should).
func reasonOf(err error) string {
	var e *EnsureError
	if errors.As(err, &e) && e.Reason != nil {
		return e.Reason.Error()
	}
	return "Error"
}
