package dialect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// ComposeCommand is the Compose command a decision is made for: docker/compose decides
// differently for `up` (mustPull) and for an explicit `compose pull` (shouldPullImage).
type ComposeCommand int

const (
	// ComposeUp is `docker compose up`, create and run: the zero value.
	ComposeUp ComposeCommand = iota
	// ComposePull is `docker compose pull`: an unset policy, a present latest tag under
	// missing, and every refresh policy ask the registry at once.
	ComposePull
)

// Options are what some dialects need beyond the store and the resolver. The zero Options
// (or nil) means: the real clock, no memory of pulls, Compose's up, and GitLab lists that go
// on only when the registry is unavailable.
type Options struct {
	// Now returns the current time, for Compose's refresh policies. Nil means time.Now.
	Now func() time.Time
	// Pulls remembers the image names pulled successfully, for ECS's once. Nil means nothing
	// is remembered and nothing recorded, as on an agent's first start. Decide records a name
	// when the registry's digest is already present (the agent's pull then succeeds without
	// a transfer); after a Pull decision the caller records it once its pull has succeeded.
	Pulls PullMemory
	// Compose is the Compose command decided for.
	Compose ComposeCommand
	// GitLabAnyError makes a GitLab list go on to its next entry after any failure, as GitLab
	// Runner itself does, 401, 403 and 404 included. By default the list goes on only when the
	// registry is unavailable, or when never finds the image absent.
	GitLabAnyError bool
}

// Decide decides what to do about img under p, as p's system would, on store and resolver.
// The outcome has the vocabulary of [pullpolicy.Decide]: the Kubernetes-like steps are
// pullpolicy.Decide itself (so asking the registry pins the pull to its digest and classifies
// its errors), and a failure returns a filled-in Decision with a [*pullpolicy.Error] wrapping
// exactly one sentinel. What each system adds:
//
//   - Podman newer: an absent image is pulled without asking the registry; a present one is
//     kept when the registry's digest is one of its digests (any repository), pulled by that
//     digest otherwise, and kept — with Decision.Tolerated set — when the registry fails in
//     any way (unreachable, 401, 404), as Podman suppresses pull errors when a local image
//     exists.
//   - Compose daily, weekly, every_<duration>, refresh: a present image is kept until
//     [pullpolicy.LocalImage.Pulled] plus the window has passed on opts.Now (a zero Pulled
//     is long past), then the registry is asked as under Always. Under [ComposePull], also
//     an unset policy and a present latest tag under missing ask the registry. Compose build
//     never pulls and sets Decision.Build.
//   - ECS default: Always, but any pull failure starts a present image (Decision.Tolerated).
//     once: local only for a name opts.Pulls remembers, Always otherwise (no fallback).
//     prefer-cached: IfNotPresent.
//   - Nomad: force_pull true is Always; false is Always for the tag latest (or none) and
//     IfNotPresent otherwise.
//   - GitLab: the list's entries in order; the next entry is tried only when one fails with
//     [pullpolicy.ErrRegistryUnavailable] (never after a registry that answered 401, 403 or
//     404), or with [pullpolicy.ErrImageNeverPull] under never. opts.GitLabAnyError goes on
//     after any failure, as GitLab Runner does.
//
// A cancelled ctx is never tolerated. The resolver may be nil when p never asks the registry
// (a registry step then fails with ErrImagePull). Decide is safe for concurrent use when store,
// resolver and opts.Pulls are.
func Decide(ctx context.Context, p Policy, img reference.Image, store pullpolicy.Store, resolver pullpolicy.Resolver, opts *Options) (Decision, error) {
	e := engine{ctx: ctx, p: p, img: img, store: store, resolver: resolver}
	if opts != nil {
		e.o = *opts
	}
	if !p.IsValid() {
		msg := fmt.Sprintf("dialect: invalid policy %q", p.String())
		d := Decision{Decision: pullpolicy.Decision{Action: pullpolicy.Fail, Image: img, Message: msg}}
		return e.finish(d), &pullpolicy.Error{Reason: pullpolicy.ErrInvalidPolicy, Image: img.Original(), Message: msg}
	}
	var tolerated []error
	for i := 0; ; i++ { // a valid policy has at least one step; the last one always returns
		d, err := e.step(p.steps[i])
		d.Step = i
		if err == nil || i == len(p.steps)-1 || !e.goesOn(err) {
			if len(tolerated) > 0 {
				d.Tolerated = errors.Join(append(tolerated, d.Tolerated)...)
			}
			return e.finish(d), err
		}
		tolerated = append(tolerated, err)
	}
}

// engine holds one Decide call.
type engine struct {
	ctx      context.Context
	p        Policy
	img      reference.Image
	store    pullpolicy.Store
	resolver pullpolicy.Resolver
	o        Options
}

// finish fills in what every Decision says about its policy.
func (e *engine) finish(d Decision) Decision {
	d.System, d.Dialect, d.Note = e.p.System, e.p.Name, e.p.Note
	return d
}

// goesOn reports whether a GitLab list tries its next entry after err.
func (e *engine) goesOn(err error) bool {
	if e.ctx.Err() != nil {
		return false
	}
	if e.o.GitLabAnyError {
		return true
	}
	return errors.Is(err, pullpolicy.ErrRegistryUnavailable) || errors.Is(err, pullpolicy.ErrImageNeverPull)
}

// step decides one policy.
func (e *engine) step(s step) (Decision, error) {
	switch s.rule {
	case ruleAlways:
		return e.kube(pullpolicy.Always)
	case ruleIfNotPresent:
		if e.p.System == Compose && e.o.Compose == ComposePull && (s.name == "" || composeLatest(e.img)) {
			return e.kube(pullpolicy.Always) // shouldPullImage: explicit pull of an unset policy or of latest
		}
		return e.kube(pullpolicy.IfNotPresent)
	case ruleNever:
		return e.kube(pullpolicy.Never)
	case ruleNewer:
		return e.newer()
	case ruleRefresh:
		return e.refresh()
	case ruleAlwaysOrCached:
		return e.alwaysOrCached()
	case ruleOnce:
		return e.once()
	case ruleLatestOrPresent:
		if e.img.Tag() == "latest" { // parseDockerImage: no tag means latest; a bare digest has none
			return e.kube(pullpolicy.Always)
		}
		return e.kube(pullpolicy.IfNotPresent)
	case ruleBuild:
		return e.build()
	default: // not reached: every table entry has a rule
		msg := fmt.Sprintf("dialect: %s policy %q has no rule", e.p.System, s.name)
		d := Decision{Decision: pullpolicy.Decision{Action: pullpolicy.Fail, Image: e.img, Message: msg}}
		return d, &pullpolicy.Error{Reason: pullpolicy.ErrInvalidPolicy, Image: e.img.Original(), Message: msg}
	}
}

// kube decides with a Kubernetes policy; only Always gets the resolver.
func (e *engine) kube(policy pullpolicy.Policy) (Decision, error) {
	var r pullpolicy.Resolver
	if policy == pullpolicy.Always {
		r = e.resolver
	}
	d, err := pullpolicy.Decide(e.ctx, policy, e.img, e.store, r)
	return Decision{Decision: d}, err
}

// newer is Podman's newer (libimage copySingleImageFromRegistry and
// hasDifferentDigestWithSystemContext).
func (e *engine) newer() (Decision, error) {
	local, err := e.kube(pullpolicy.IfNotPresent)
	if err != nil || local.Action != pullpolicy.UseLocal {
		return local, err // absent: pulled without comparing anything
	}
	d, err := e.kube(pullpolicy.Always)
	switch {
	case err == nil && d.Action == pullpolicy.Pull && holdsDigest(local.Local, string(d.Digest)):
		local.Policy, local.Digest, local.Stale = pullpolicy.Always, d.Digest, d.Stale
		return local, nil
	case err == nil, !e.tolerable(err):
		return d, err
	default:
		local.Tolerated = err
		return local, nil
	}
}

// holdsDigest reports whether one of local's repo digests, in any repository, is dg.
func holdsDigest(local pullpolicy.LocalImage, dg string) bool {
	for _, rd := range local.RepoDigests {
		if strings.HasSuffix(rd, "@"+dg) {
			return true
		}
	}
	return false
}

// tolerable reports whether a registry step's failure may be replaced by the local image:
// the registry failed (unreachable or refusing), and the caller has not given up.
func (e *engine) tolerable(err error) bool {
	return e.ctx.Err() == nil && (errors.Is(err, pullpolicy.ErrRegistryUnavailable) || errors.Is(err, pullpolicy.ErrImagePull))
}

// refresh is Compose's refresh policies (docker/compose mustPull, shouldPullImage).
func (e *engine) refresh() (Decision, error) {
	local, err := e.kube(pullpolicy.IfNotPresent)
	if err != nil || local.Action != pullpolicy.UseLocal {
		return local, err // absent: pulled
	}
	if e.o.Compose == ComposePull {
		return e.kube(pullpolicy.Always) // an explicit pull is due now
	}
	at := local.Local.Pulled.Add(e.p.Refresh)
	if e.now().After(at) {
		return e.kube(pullpolicy.Always)
	}
	local.RefreshAt = at
	return local, nil
}

// now is the clock of Options.Now.
func (e *engine) now() time.Time {
	if e.o.Now != nil {
		return e.o.Now()
	}
	return time.Now()
}

// composeLatest is docker/compose's isLatestTag: reference.ParseDockerRef drops a tag next
// to a digest, so only a digest-free latest (or no tag) counts.
func composeLatest(img reference.Image) bool { return img.Digest() == "" && img.Tag() == "latest" }

// alwaysOrCached is ECS's default: pull, and on any pull failure start the cached image
// (handleEventError: "will try to run anyway").
func (e *engine) alwaysOrCached() (Decision, error) {
	d, err := e.kube(pullpolicy.Always)
	if err == nil || !e.tolerable(err) {
		return d, err
	}
	local, lerr := e.kube(pullpolicy.Never)
	if lerr != nil {
		return d, err // nothing cached: the pull's failure stands
	}
	local.Tolerated = err
	return local, nil
}

// once is ECS's once (imagePullRequired): local only for a name pulled before, Always
// otherwise, and a failure stops the task.
func (e *engine) once() (Decision, error) {
	name := e.img.Original()
	pulled := false
	if e.o.Pulls != nil {
		var err error
		if pulled, err = e.o.Pulls.Pulled(e.ctx, name); err != nil {
			msg := "Failed to read the record of pulled images: " + err.Error()
			d := Decision{Decision: pullpolicy.Decision{Policy: pullpolicy.Never, Action: pullpolicy.Fail, Image: e.img, Reason: pullpolicy.ReasonInspectFailed, Message: msg}}
			return d, &pullpolicy.Error{Reason: pullpolicy.ErrImageInspect, Image: name, Policy: pullpolicy.Never, Message: msg, Err: err}
		}
	}
	if pulled {
		d, err := e.kube(pullpolicy.Never)
		if errors.Is(err, pullpolicy.ErrImageNeverPull) {
			retitle(&d, err, fmt.Sprintf("Container image %q was pulled once on this node (ECS_IMAGE_PULL_BEHAVIOR once) and is no longer present", name))
		}
		return d, err
	}
	d, err := e.kube(pullpolicy.Always)
	if err == nil && d.Action == pullpolicy.UseLocal && e.o.Pulls != nil {
		if rerr := e.o.Pulls.RecordPull(e.ctx, name); rerr != nil {
			d.Tolerated = fmt.Errorf("recording the pull of %q: %w", name, rerr) // the agent logs it and goes on
		}
	}
	return d, err
}

// build is Compose's build: never pulled.
func (e *engine) build() (Decision, error) {
	d, err := e.kube(pullpolicy.Never)
	d.Build = true
	if errors.Is(err, pullpolicy.ErrImageNeverPull) {
		retitle(&d, err, fmt.Sprintf("Container image %q is built by Compose (pull_policy build), never pulled, and is not present", e.img.Original()))
	}
	return d, err
}

// retitle replaces the message of a failed decision and of its error.
func retitle(d *Decision, err error, msg string) {
	d.Message = msg
	var pe *pullpolicy.Error
	if errors.As(err, &pe) {
		pe.Message = msg
	}
}
