package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/opencontainers/go-digest"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// planner answers, for an image manager request, what the kubelet would do on the node
// without pulling anything: it runs the library's image manager (the kubelet's
// EnsureImageExists, KEP-2535 verification included) with a Puller that only notes what it
// was asked to pull, and keeps the events up to the Pulling event. Nothing is written: pull
// records are read from the kubelet's directory (or start empty) and the manager's writes to
// them are dropped. A planner is safe for concurrent use.
type planner struct {
	m     *kubelet.ImageManager
	store pullpolicy.Store
}

// plannerConfig is what a planner needs to know about the node.
type plannerConfig struct {
	store    pullpolicy.Store
	resolver pullpolicy.Resolver // nil: the kubelet's Always (the runtime resolves)
	keyring  *credential.Keyring // the node's credentials
	provider credential.Provider // nil: none
	records  pullmanager.PullRecords
}

func newPlanner(cfg plannerConfig) (*planner, error) {
	noLimit := int32(0)
	kc := kubelet.Config{
		// The store without ImageLister: the manager's startup work (recovering intents,
		// pruning records) belongs to a kubelet that starts, not to one that is asked.
		Store:              storeOnly{cfg.store},
		Puller:             kubelet.PullerFunc(dryRunPull),
		Keyring:            cfg.keyring,
		CredentialProvider: cfg.provider,
		RegistryPullQPS:    &noLimit, // every image of the input is asked at once
		Logger:             slog.New(slog.DiscardHandler),
	}
	if cfg.records != nil {
		kc.Records = readOnlyRecords{cfg.records}
	}
	if cfg.resolver != nil {
		kc.Resolver = digestNoter{cfg.resolver}
	}
	m, err := kubelet.NewImageManager(kc)
	if err != nil {
		return nil, err
	}
	return &planner{m: m, store: cfg.store}, nil
}

// plan is the planner's answer for one request.
type plan struct {
	Action   pullpolicy.Action
	Events   []kubelet.Event // the kubelet's events, up to Pulling when it would pull
	PullRef  string          // what the runtime would be asked to pull
	ImageRef string          // the local image started, for UseLocal
	Digest   digest.Digest   // the registry's digest, when it was asked
	Waiting  *waitingJSON    // the container's waiting reason and message, for Fail
	// Refused is true when the image is on the node but the pod must pull it to prove
	// its access (KEP-2535), or, under Never, cannot start.
	Refused bool
}

// callNotes is what the dry-run puller and the resolver saw during one request.
type callNotes struct {
	pulled string
	digest digest.Digest
}

type notesKey struct{}

func notesOf(ctx context.Context) *callNotes {
	n, _ := ctx.Value(notesKey{}).(*callNotes)
	if n == nil {
		return &callNotes{} // not from a planner: noted nowhere
	}
	return n
}

// plan asks what the kubelet would do for req.
func (p *planner) plan(ctx context.Context, req kubelet.Request) (plan, error) {
	notes := &callNotes{}
	res, err := p.m.EnsureImageExists(context.WithValue(ctx, notesKey{}, notes), req)
	if ctx.Err() != nil {
		return plan{}, ctx.Err()
	}
	out := plan{Events: res.Events, Digest: notes.digest}
	var ee *kubelet.EnsureError
	switch {
	case err != nil && errors.As(err, &ee):
		out.Action = pullpolicy.Fail
		out.Waiting = &waitingJSON{Reason: ee.WaitingReason(), Message: ee.Message}
	case err != nil:
		return plan{}, err
	case notes.pulled != "":
		out.Action, out.PullRef = pullpolicy.Pull, notes.pulled
		for i, e := range res.Events {
			if e.Reason == pullpolicy.ReasonPulling {
				out.Events = res.Events[:i+1] // the rest is the dry run's
				break
			}
		}
	default:
		out.Action, out.ImageRef = pullpolicy.UseLocal, res.ImageRef
	}
	if out.Action != pullpolicy.UseLocal && req.Policy != pullpolicy.Always {
		out.Refused = p.present(ctx, req.Image)
	}
	return out, nil
}

// present reports whether the node holds image (by the name as written).
func (p *planner) present(ctx context.Context, image string) bool {
	img, err := reference.Parse(image)
	if err != nil {
		return false
	}
	local, ok, err := p.store.Lookup(ctx, img)
	return err == nil && ok && local.ID != ""
}

// dryRunPull is the planner's Puller: it notes the image and pretends the pull worked.
func dryRunPull(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
	notesOf(ctx).pulled = req.Image
	return kubelet.PullResult{ImageRef: "dry-run:" + req.Image}, nil
}

// storeOnly hides every method of a Store but Lookup.
type storeOnly struct{ pullpolicy.Store }

// digestNoter is a resolver that notes the digest the registry gave, for the plan.
type digestNoter struct{ next pullpolicy.Resolver }

var _ kubelet.CredentialResolver = digestNoter{}

func (r digestNoter) Resolve(ctx context.Context, img reference.Image) (digest.Digest, error) {
	return r.note(ctx)(r.next.Resolve(ctx, img))
}

// ResolveWithCredentials passes the pod's credentials on when the next resolver takes them.
func (r digestNoter) ResolveWithCredentials(ctx context.Context, img reference.Image, creds []credential.Credential) (digest.Digest, error) {
	if cr, ok := r.next.(kubelet.CredentialResolver); ok {
		return r.note(ctx)(cr.ResolveWithCredentials(ctx, img, creds))
	}
	return r.Resolve(ctx, img)
}

func (r digestNoter) note(ctx context.Context) func(digest.Digest, error) (digest.Digest, error) {
	return func(d digest.Digest, err error) (digest.Digest, error) {
		var stale *pullpolicy.StaleError
		switch {
		case err == nil:
			notesOf(ctx).digest = d
		case errors.As(err, &stale):
			notesOf(ctx).digest = stale.Digest
		}
		return d, err
	}
}

// readOnlyRecords reads pull records and drops every write: the planner asks the kubelet's
// questions of a node's records without changing them.
type readOnlyRecords struct{ pullmanager.PullRecords }

func (readOnlyRecords) WritePullIntent(string) error                     { return nil }
func (readOnlyRecords) DeletePullIntent(string) error                    { return nil }
func (readOnlyRecords) WritePulledRecord(pullmanager.PulledRecord) error { return nil }
func (readOnlyRecords) DeletePulledRecord(string) error                  { return nil }

// cachedResolver puts a cache in front of a registry resolver, so that an image named by
// many workloads is asked for once per set of credentials.
func cachedResolver(next pullpolicy.Resolver) (pullpolicy.Resolver, error) {
	return cache.NewResolver(next, nil)
}
