package pullpolicy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/imagepull/imagepull/internal/quote"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
)

// Action is what [Decide] says to do with an image. The zero Action is [Fail], so a zero
// [Decision] never says to use or to pull anything.
type Action int

const (
	// Fail: neither use nor pull; the error says why.
	Fail Action = iota
	// UseLocal: start the container from Decision.Local.
	UseLocal
	// Pull: pull Decision.PullRef, then start the container.
	Pull
)

var actionNames = [...]string{Fail: "Fail", UseLocal: "UseLocal", Pull: "Pull"}

// String returns "Fail", "UseLocal" or "Pull"; other values give "Action(N)".
func (a Action) String() string {
	if a >= 0 && int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// MarshalText returns the action's name.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// The kubelet's event reasons (pkg/kubelet/events) that a Decision carries.
const (
	ReasonPulling        = "Pulling"           // a pull is about to start
	ReasonPulled         = "Pulled"            // the image is ready (present, or pulled)
	ReasonFailed         = "Failed"            // a pull failed
	ReasonInspectFailed  = "InspectFailed"     // the name is invalid, or the store failed
	ReasonNeverPull      = "ErrImageNeverPull" // Never, and the image is absent
	ReasonBackOff        = "BackOff"           // a pull was refused during back-off
	reasonInvalidPolicy  = ""                  // the kubelet emits no event for it
	msgNilStore          = "Decide needs a Store to look the image up in, got nil"
	unavailableMsgFormat = "image pull failed for %s because the registry is unavailable%s"
)

// Decision is the outcome of [Decide]. It is filled in on failure too.
type Decision struct {
	Policy  Policy          // the effective policy: the one given, or the default for the image
	Action  Action          // what to do
	Image   reference.Image // the image asked for
	Local   LocalImage      // the local image to use, when Action is UseLocal
	PullRef reference.Image // what to pull, when Action is Pull: pinned to Digest under Always
	Digest  digest.Digest   // the registry's digest, when the registry was asked
	// Stale is set when Digest came from a resolver's cache because the registry was
	// unavailable (see [StaleError]); the kubelet has no such mode.
	Stale *StaleError
	// Reason and Message are the kubelet's event for this outcome, verbatim: for example
	// "Pulled" and `Container image "nginx" already present on machine`.
	Reason  string
	Message string
}

// Decide decides what to do about img under policy, as the kubelet's EnsureImageExists does
// before it pulls (with credential verification off), and goes further under Always by asking
// the registry first:
//
//   - Never: the resolver is never called and may be nil. A present image gives UseLocal; an
//     absent one gives Fail with an error wrapping [ErrImageNeverPull].
//   - IfNotPresent: the resolver is never called and may be nil. Present gives UseLocal;
//     absent gives Pull of img.
//   - Always: the resolver is always asked, also for a digest reference (the registry
//     authorizes every start). When the store holds the registry's digest (looked up as
//     img.WithDigest(digest)), the result is UseLocal; otherwise Pull of img.WithDigest(digest),
//     never of the tag, so a tag moved between resolve and pull cannot swap the image.
//   - "" (not set): the policy is defaulted from img as the API server does ([Default]).
//
// A store that reports an image with an empty ID counts as absent, as in the kubelet. On
// failure Decide returns a filled-in Decision with Action Fail and an [*Error] whose Reason is
// [ErrInvalidImageName] (zero img), [ErrInvalidPolicy] (unknown policy), [ErrImageInspect]
// (store error), [ErrRegistryUnavailable] (the resolver's error matches it), [ErrImagePull]
// (any other resolver failure, or a digest the registry should not have returned), or
// [ErrMisuse] (a nil store where one is needed).
//
// Decide is safe for concurrent use when store and resolver are.
func Decide(ctx context.Context, policy Policy, img reference.Image, store Store, resolver Resolver) (Decision, error) {
	d := Decision{Policy: policy, Image: img}
	if !img.IsValid() {
		_, cause := reference.Parse(img.Original())
		msg := quote.Wrap("Failed to apply default image tag ", img.Original(), ": "+cause.Error())
		return d.fail(ReasonInspectFailed, msg, &Error{Reason: ErrInvalidImageName, Message: msg, Err: cause})
	}
	if policy == "" {
		d.Policy = DefaultFor(img)
	}
	switch d.Policy {
	case Never, IfNotPresent:
		return d.decideLocal(ctx, store)
	case Always:
		return d.decideAlways(ctx, store, resolver)
	default:
		_, cause := ParsePolicy(string(policy))
		return d.fail(reasonInvalidPolicy, cause.Error(), &Error{Reason: ErrInvalidPolicy, Message: cause.Error(), Err: cause})
	}
}

// decideLocal decides for Never and IfNotPresent: the store alone answers.
func (d Decision) decideLocal(ctx context.Context, store Store) (Decision, error) {
	local, ok, err := d.lookup(ctx, store, d.Image)
	switch {
	case err != nil:
		return d.failLookup(err)
	case ok:
		return d.useLocal(local), nil
	case d.Policy == Never:
		msg := quote.Wrap("Container image ", d.Image.Original(), " is not present with pull policy of Never")
		return d.fail(ReasonNeverPull, msg, &Error{Reason: ErrImageNeverPull, Message: msg})
	default:
		return d.pull(d.Image), nil
	}
}

// decideAlways decides for Always: the registry names the digest, the store says whether it
// is here.
func (d Decision) decideAlways(ctx context.Context, store Store, resolver Resolver) (Decision, error) {
	if resolver == nil {
		// The kubelet's own way: ask the runtime to pull the tag; the runtime resolves it.
		return d.pull(d.Image), nil
	}
	dg, err := resolver.Resolve(ctx, d.Image)
	if err != nil {
		var stale *StaleError
		if !errors.As(err, &stale) || stale.Digest.Validate() != nil {
			return d.pullFailed(err)
		}
		dg, d.Stale = stale.Digest, stale
	}
	pinned := d.Image.WithDigest(dg) // invalid exactly when dg is not a valid digest
	if !pinned.IsValid() {
		return d.pullFailed(fmt.Errorf("registry returned an invalid digest %q for %s: %w", string(dg), d.Image, dg.Validate()))
	}
	if want := d.Image.Digest(); want != "" && dg != want {
		return d.pullFailed(fmt.Errorf("registry returned digest %s for %s", dg, d.Image))
	}
	d.Digest = dg
	local, ok, lerr := d.lookup(ctx, store, pinned)
	switch {
	case lerr != nil:
		return d.failLookup(lerr)
	case ok:
		return d.useLocal(local), nil
	default:
		return d.pull(pinned), nil
	}
}

// lookup asks the store for img; an error comes back as the kubelet's inspect failure.
func (d Decision) lookup(ctx context.Context, store Store, img reference.Image) (LocalImage, bool, *Error) {
	if store == nil {
		return LocalImage{}, false, &Error{Reason: ErrMisuse, Message: msgNilStore}
	}
	local, ok, err := store.Lookup(ctx, img)
	if err == nil {
		return local, ok && local.ID != "", nil
	}
	// The kubelet quotes its (empty) imageRef variable here, never the image.
	msg := `Failed to inspect image "": ` + err.Error()
	return LocalImage{}, false, &Error{Reason: ErrImageInspect, Message: msg, Err: err}
}

func (d Decision) useLocal(local LocalImage) Decision {
	d.Action, d.Local = UseLocal, local
	d.Reason = ReasonPulled
	d.Message = quote.Wrap("Container image ", d.Image.Original(), " already present on machine")
	return d
}

func (d Decision) pull(ref reference.Image) Decision {
	d.Action, d.PullRef = Pull, ref
	d.Reason = ReasonPulling
	d.Message = quote.Wrap("Pulling image ", d.Image.Original(), "")
	return d
}

// pullFailed classifies a registry failure as the kubelet classifies a runtime pull error:
// unreachable registry → ErrRegistryUnavailable, anything else → ErrImagePull. The event says
// `Failed to pull image "X": <err>`; the error carries the pod-status message.
func (d Decision) pullFailed(cause error) (Decision, error) {
	image := d.Image.Original()
	e := &Error{Reason: ErrImagePull, Message: cause.Error(), Err: cause}
	if errors.Is(cause, ErrRegistryUnavailable) {
		rest := strings.TrimPrefix(cause.Error(), ErrRegistryUnavailable.Error())
		if rest == cause.Error() {
			rest = ": " + rest
		}
		e.Reason, e.Message = ErrRegistryUnavailable, fmt.Sprintf(unavailableMsgFormat, image, rest)
	}
	return d.fail(ReasonFailed, quote.Wrap("Failed to pull image ", image, ": "+cause.Error()), e)
}

// failLookup fails with the store's error: the kubelet's InspectFailed, or a misuse that
// has no kubelet event.
func (d Decision) failLookup(e *Error) (Decision, error) {
	if e.Reason == ErrMisuse {
		return d.fail("", e.Message, e)
	}
	return d.fail(ReasonInspectFailed, e.Message, e)
}

// fail completes a failed Decision; e gets the image and the effective policy.
func (d Decision) fail(reason, msg string, e *Error) (Decision, error) {
	d.Action, d.Reason, d.Message = Fail, reason, msg
	e.Image, e.Policy = d.Image.Original(), d.Policy
	return d, e
}
