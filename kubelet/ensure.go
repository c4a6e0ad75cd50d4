package kubelet

import (
	"context"
	"time"

	"github.com/imagepull/imagepull/internal/clip"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// EnsureImageExists makes the image of req's container ready to start, as the kubelet's
// EnsureImageExists does, and reports the runtime's image ID, the kubelet's returned message
// and the events emitted. The checks run in the kubelet's order:
//
//  1. The image string must parse; ":latest" is appended when it has neither tag nor digest
//     ([reference.Image.WithDefaultTag]), and that string is what the runtime gets. An
//     invalid name fails with [ErrInvalidImageName] and a Warning InspectFailed event.
//  2. Unless the policy is Always, the [Store] is asked whether the image is present; a
//     Store error fails with [ErrImageInspect].
//  3. A present image is used at once when credential verification is off. When it is on,
//     the verifier decides whether the pod may use it ("already present on machine and can
//     be accessed by the pod") or must pull it with its own credentials. Under Never an
//     image the pod may not use is reported as not present ([ErrImageNeverPull]).
//  4. The pod's credentials are looked up: its pull Secrets, then the node keyring, then
//     the credential provider. A bad Secret fails with the raw error, as in the kubelet.
//  5. The pull intent is recorded, then the back-off (per pod UID and image string) is
//     checked ([ErrImagePullBackOff]), then the pull runs through the serialized queue or the
//     parallel limit and the registry QPS limit, and its outcome is recorded.
//
// With credential verification on, the first call first does the kubelet's startup work on
// the pull records, when the Store is also an [ImageLister]: the intents an interrupted run
// left behind become records of the images the runtime holds, and records of images no longer
// on the node are pruned. With persistent records (cache.FileRecords) and a Store that cannot
// list images, call [pullmanager.Manager.Initialize] yourself (see [ImageManager.PullManager]).
//
// On failure the error is an [*EnsureError]: its text is "<reason>: <message>" (for example
// "ErrImagePull: failed to pull and unpack image …"), [EnsureError.WaitingReason] is the
// container's waiting reason alone, and errors.Is matches the reason's pullpolicy sentinel. The
// Result is filled in on failure too. EnsureImageExists is safe for concurrent use. When ctx ends
// while the pull waits for its turn, the pull fails with ctx's error, as a cancelled runtime
// call does in the kubelet; once the runtime's pull has started, the call waits for its outcome
// whatever becomes of ctx, as the kubelet does, so that an image the runtime pulled is recorded.
// Stricter than the kubelet: when that pull fails after ctx ended (a runtime that honours the
// cancellation may have stored the image first), its pull intent is kept rather than removed,
// so the image counts as pulled by the kubelet and every other pod must verify its credentials
// before using it.
func (m *ImageManager) EnsureImageExists(ctx context.Context, req Request) (Result, error) {
	if m.verify != nil {
		m.startup.run(ctx, m)
	}
	c := &ensureCall{m: m, ctx: ctx, req: &req}
	c.begin()
	ref, msg, err := c.ensure()
	c.end(err)
	return Result{ImageRef: ref, Message: msg, Events: c.events}, err
}

// ensureCall is the state of one EnsureImageExists call; it is used by one goroutine.
type ensureCall struct {
	m      *ImageManager
	ctx    context.Context
	req    *Request
	img    reference.Image // the parsed image
	spec   string          // the tag-defaulted image string the runtime gets
	creds  credLookup
	events []Event

	// What is reported when the call ends (report.go).
	policy            pullpolicy.Policy // the policy applied, once defaulted
	present, required Answer            // the kubelet's present_locally and pull_required
	pulled            bool              // a pull succeeded
	logged            bool              // the decision is logged; start is set
	start             time.Time
}

func (c *ensureCall) ensure() (ref, msg string, err error) {
	image := c.req.Image
	img, err := reference.Parse(image)
	if err != nil {
		msg := msgApplyDefaultTag(image, err)
		c.event(EventTypeWarning, pullpolicy.ReasonInspectFailed, msg)
		return c.fail(pullpolicy.ErrInvalidImageName, msg, err)
	}
	c.img, c.spec = img, img.WithDefaultTag()
	c.creds = credLookup{m: c.m, ctx: c.ctx, req: c.req, repo: img.Repository()}
	policy := c.req.Policy
	if policy == "" {
		policy = pullpolicy.DefaultFor(img)
	}
	c.policy = policy
	switch policy {
	case pullpolicy.IfNotPresent, pullpolicy.Never:
		local, ok, err := c.m.store.Lookup(c.ctx, img)
		if err != nil {
			msg := msgInspect(err)
			c.event(EventTypeWarning, pullpolicy.ReasonInspectFailed, msg)
			return c.fail(pullpolicy.ErrImageInspect, msg, err)
		}
		if ok {
			ref = local.ID
		}
		c.present = answerOf(ref != "")
	case pullpolicy.Always:
		if c.m.resolver != nil {
			return c.ensureResolved()
		}
	default:
		_, perr := pullpolicy.ParsePolicy(string(policy))
		return c.fail(pullpolicy.ErrInvalidPolicy, perr.Error(), perr)
	}
	if ref != "" {
		if done, ref, msg, err := c.usePresent(ref, presentMessages{msgPresent, msgPresentVerified}); done {
			return ref, msg, err
		}
	}
	if policy == pullpolicy.Never {
		// Absent, or present but not for this pod: the kubelet does not tell the two apart.
		msg := msgNeverPull(image)
		c.event(EventTypeWarning, pullpolicy.ReasonNeverPull, msg)
		return c.fail(pullpolicy.ErrImageNeverPull, msg, nil)
	}
	c.required = AnswerYes
	return c.pull(c.spec)
}

// presentMessages are the "already present" messages without and with verification.
type presentMessages struct{ plain, verified func(image string) string }

// usePresent decides whether the present image ref may be used by the pod. done is false
// when the pod must pull it.
func (c *ensureCall) usePresent(ref string, msgs presentMessages) (done bool, _ string, msg string, err error) {
	image := c.req.Image
	c.required = AnswerNo
	if c.m.verify == nil {
		msg := msgs.plain(image)
		c.event(EventTypeNormal, pullpolicy.ReasonPulled, msg)
		return true, ref, msg, nil
	}
	must, err := c.mustPull(ref)
	c.required = answerOf(must)
	switch {
	case err != nil:
		c.required = AnswerUnknown
		_, msg, err := c.raw(err)
		return true, "", msg, err
	case must:
		return false, "", "", nil
	}
	msg = msgs.verified(image)
	c.event(EventTypeNormal, pullpolicy.ReasonPulled, msg)
	return true, ref, msg, nil
}

// event emits an event: it is kept for the Result and sent to the recorder. Its message is
// cut to clip.MaxMessage.
func (c *ensureCall) event(typ, reason, msg string) {
	e := Event{Type: typ, Reason: reason, Message: clip.String(msg, clip.MaxMessage), FieldPath: c.req.FieldPath()}
	c.events = append(c.events, e)
	if c.m.recorder != nil {
		c.m.recorder.Event(c.ctx, c.req, e)
	}
}

// fail returns a failure with the kubelet's reason and message, cut to clip.MaxMessage.
func (c *ensureCall) fail(reason error, msg string, cause error) (string, string, error) {
	msg = clip.String(msg, clip.MaxMessage)
	return "", msg, &EnsureError{Reason: reason, Message: msg, Err: cause}
}

// raw returns a failure the kubelet returns raw: the error's text is both reason and message.
func (c *ensureCall) raw(err error) (string, string, error) {
	return c.fail(nil, err.Error(), err)
}
