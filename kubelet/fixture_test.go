package kubelet_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
)

// remoteImage is an image a fake registry serves.
type remoteImage struct {
	id     string        // the image ID (config digest) the runtime reports
	digest digest.Digest // the manifest digest
	size   int64
	// user and password, when set, are the only credentials the registry accepts.
	user, password string
}

// fakeRuntime is a container runtime over a real in-memory image store: PullImage looks the
// image up in its registry, tries the credentials in order as the kubelet's runtime client
// does, and adds the pulled image to the store. Failures are injected per call.
type fakeRuntime struct {
	store *cache.Store
	// pullTime is how long a pull takes (fake time under synctest).
	pullTime time.Duration

	mu       sync.Mutex
	registry map[string]remoteImage // by normalised "repo:tag"
	pullErr  error                  // when set, every pull fails with it
	inspect  error                  // when set, every Lookup fails with it
	calls    []string               // "GetImageRef" and "PullImage", in order
	requests []kubelet.PullRequest
	gate     chan struct{} // when set, a pull waits for a value on it
	inFlight int
	maxSeen  int
}

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{store: cache.NewStore(), registry: make(map[string]remoteImage)}
}

// serve makes the registry serve img (any familiar form, with a tag) as ri.
func (r *fakeRuntime) serve(img string, ri remoteImage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.registry[reference.MustParse(img).String()] = ri
}

// preload puts img on the node as if pulled out of band, with the registry's identity.
func (r *fakeRuntime) preload(img string, ri remoteImage) {
	ref := reference.MustParse(img)
	must(r.store.Add(pullpolicy.LocalImage{
		ID: ri.id, RepoTags: []string{ref.String()},
		RepoDigests: []string{ref.Repository() + "@" + string(ri.digest)}, Size: ri.size,
	}))
}

func (r *fakeRuntime) record(call string) {
	r.mu.Lock()
	r.calls = append(r.calls, call)
	r.mu.Unlock()
}

// takeCalls returns the calls so far and forgets them.
func (r *fakeRuntime) takeCalls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls := r.calls
	r.calls = nil
	return calls
}

func (r *fakeRuntime) lastRequest() kubelet.PullRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[len(r.requests)-1]
}

// Lookup is the store as the image manager sees it: the kubelet's GetImageRef.
func (r *fakeRuntime) Lookup(ctx context.Context, img reference.Image) (pullpolicy.LocalImage, bool, error) {
	r.record("GetImageRef")
	r.mu.Lock()
	err := r.inspect
	r.mu.Unlock()
	if err != nil {
		return pullpolicy.LocalImage{}, false, err
	}
	return r.store.Lookup(ctx, img)
}

// PullImage is the runtime's pull.
func (r *fakeRuntime) PullImage(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
	r.record("PullImage")
	r.mu.Lock()
	r.requests = append(r.requests, req)
	r.inFlight++
	r.maxSeen = max(r.maxSeen, r.inFlight)
	gate, pullErr := r.gate, r.pullErr
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inFlight--
		r.mu.Unlock()
	}()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return kubelet.PullResult{}, ctx.Err()
		}
	}
	if r.pullTime > 0 {
		time.Sleep(r.pullTime)
	}
	if pullErr != nil {
		return kubelet.PullResult{}, pullErr
	}
	return r.fetch(req)
}

// fetch resolves req.Image in the registry and stores the image, trying each credential.
func (r *fakeRuntime) fetch(req kubelet.PullRequest) (kubelet.PullResult, error) {
	ref, err := reference.Parse(req.Image)
	if err != nil {
		return kubelet.PullResult{}, err
	}
	ri, ok := r.find(ref)
	if !ok {
		return kubelet.PullResult{}, fmt.Errorf("rpc error: code = NotFound desc = failed to pull and unpack image %q: not found", req.Image)
	}
	used, err := ri.authorize(req.Credentials)
	if err != nil {
		return kubelet.PullResult{}, err
	}
	li := pullpolicy.LocalImage{ID: ri.id, RepoDigests: []string{ref.Repository() + "@" + string(ri.digest)}, Size: ri.size}
	if ref.Digest() == "" {
		li.RepoTags = []string{ref.String()}
	}
	if err := r.store.Add(li); err != nil {
		return kubelet.PullResult{}, err
	}
	return kubelet.PullResult{ImageRef: ri.id, Credential: used, Size: ri.size}, nil
}

func (r *fakeRuntime) find(ref reference.Image) (remoteImage, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d := ref.Digest(); d != "" {
		for k, ri := range r.registry {
			if ri.digest == d && strings.HasPrefix(k, ref.Repository()+":") {
				return ri, true
			}
		}
		return remoteImage{}, false
	}
	ri, ok := r.registry[ref.String()]
	return ri, ok
}

// authorize tries creds in order as the kubelet's runtime client does: the first that works
// wins; all failing gives one error, or "[e1, e2]" for several; none given is anonymous.
func (ri remoteImage) authorize(creds []credential.Credential) (*credential.Credential, error) {
	if len(creds) == 0 {
		if ri.user != "" {
			return nil, errors.New("rpc error: code = Unknown desc = failed to authorize: 401 Unauthorized")
		}
		return nil, nil
	}
	var errs []string
	for i := range creds {
		c := &creds[i]
		if ri.user == "" || (c.Username == ri.user && c.Password == ri.password) {
			return c, nil
		}
		errs = append(errs, "rpc error: code = Unknown desc = failed to authorize: 401 Unauthorized")
	}
	if len(errs) == 1 {
		return nil, errors.New(errs[0])
	}
	return nil, errors.New("[" + strings.Join(errs, ", ") + "]")
}

// Resolve is a registry resolver over the same registry.
func (r *fakeRuntime) Resolve(_ context.Context, img reference.Image) (digest.Digest, error) {
	r.record("Resolve")
	if ri, ok := r.find(img); ok {
		return ri.digest, nil
	}
	return "", errors.New("manifest unknown: 404 Not Found")
}

// recorder collects the events sent to the image manager's recorder.
type recorder struct {
	mu     sync.Mutex
	events []kubelet.Event
}

func (r *recorder) Event(_ context.Context, _ *kubelet.Request, e kubelet.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func ptr[T any](v T) *T { return &v }

// dg returns a valid digest made of c repeated.
func dg(c string) digest.Digest { return digest.Digest("sha256:" + strings.Repeat(c, 64)) }

// ev builds an event.
func normal(reason, msg string) kubelet.Event {
	return kubelet.Event{Type: kubelet.EventTypeNormal, Reason: reason, Message: msg}
}

func warning(reason, msg string) kubelet.Event {
	return kubelet.Event{Type: kubelet.EventTypeWarning, Reason: reason, Message: msg}
}

// dockerSecret returns a kubernetes.io/dockerconfigjson Secret for registry with user:password.
func dockerSecret(ns, name, uid, registry, user, password string) credential.Secret {
	doc := fmt.Sprintf(`{"auths":{%q:{"username":%q,"password":%q}}}`, registry, user, password)
	return credential.Secret{
		Namespace: ns, Name: name, UID: uid, Type: "kubernetes.io/dockerconfigjson",
		Data: map[string][]byte{".dockerconfigjson": []byte(doc)},
	}
}

// credResolver is the fake registry as a [kubelet.CredentialResolver]: it authorizes each
// resolve with the credentials given, as the runtime authorizes a pull, and remembers them.
type credResolver struct {
	*fakeRuntime
	seen [][]credential.Credential // the credentials of each ResolveWithCredentials
}

func (r *credResolver) ResolveWithCredentials(_ context.Context, img reference.Image, creds []credential.Credential) (digest.Digest, error) {
	r.record("ResolveWithCredentials")
	r.mu.Lock()
	r.seen = append(r.seen, creds)
	r.mu.Unlock()
	ri, ok := r.find(img)
	if !ok {
		return "", errors.New("manifest unknown: 404 Not Found")
	}
	if _, err := ri.authorize(creds); err != nil {
		return "", errors.New("unauthorized: 401 Unauthorized")
	}
	return ri.digest, nil
}
