package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/metrics"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// remote is an image a fake registry serves.
type remote struct {
	id             string
	size           int64
	user, password string // when set, the only credentials accepted
}

// node is a container runtime over a real in-memory image store, on a fake clock: a pull
// takes pullTime, finds the image in the registry, checks the credentials, and stores it.
type node struct {
	store    *cache.Store
	pullTime time.Duration

	mu       sync.Mutex
	now      time.Time
	registry map[string]remote // by normalised reference
	pullErr  error             // when set, every pull fails with it
}

func newNode() *node {
	return &node{store: cache.NewStore(), registry: map[string]remote{}, now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (n *node) Now() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.now
}

func (n *node) advance(d time.Duration) {
	n.mu.Lock()
	n.now = n.now.Add(d)
	n.mu.Unlock()
}

func (n *node) serve(image string, r remote) {
	n.mu.Lock()
	n.registry[reference.MustParse(image).String()] = r
	n.mu.Unlock()
}

// preload puts image on the node as if pulled out of band.
func (n *node) preload(t testing.TB, image string, r remote) {
	require.NoError(t, n.store.Add(pullpolicy.LocalImage{ID: r.id, RepoTags: []string{reference.MustParse(image).String()}, Size: r.size}))
}

func (n *node) PullImage(_ context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
	n.advance(n.pullTime)
	n.mu.Lock()
	r, ok := n.registry[reference.MustParse(req.Image).String()]
	pullErr := n.pullErr
	n.mu.Unlock()
	switch {
	case pullErr != nil:
		return kubelet.PullResult{}, pullErr
	case !ok:
		return kubelet.PullResult{}, fmt.Errorf("rpc error: code = NotFound desc = failed to pull and unpack image %q: not found", req.Image)
	}
	var used *credential.Credential
	if r.user != "" {
		for i := range req.Credentials {
			if c := &req.Credentials[i]; c.Username == r.user && c.Password == r.password {
				used = c
			}
		}
		if used == nil {
			return kubelet.PullResult{}, errors.New("failed to authorize: 401 Unauthorized")
		}
	}
	if err := n.store.Add(pullpolicy.LocalImage{ID: r.id, RepoTags: []string{reference.MustParse(req.Image).String()}, Size: r.size}); err != nil {
		return kubelet.PullResult{}, err
	}
	return kubelet.PullResult{ImageRef: r.id, Credential: used, Size: r.size}, nil
}

// manager returns an image manager on n reporting to rec, configured further by tweak.
func (n *node) manager(t testing.TB, rec *metrics.Recorder, tweak func(*kubelet.Config)) *kubelet.ImageManager {
	cfg := kubelet.Config{Store: n.store, Puller: n, Now: n.Now, Metrics: rec}
	if tweak != nil {
		tweak(&cfg)
	}
	m, err := kubelet.NewImageManager(cfg)
	require.NoError(t, err)
	return m
}

// dockerSecret returns a kubernetes.io/dockerconfigjson Secret for registry with user:password.
func dockerSecret(ns, name, uid, registry, user, password string) credential.Secret {
	doc := fmt.Sprintf(`{"auths":{%q:{"username":%q,"password":%q}}}`, registry, user, password)
	return credential.Secret{
		Namespace: ns, Name: name, UID: uid, Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(doc)},
	}
}

func pod(ns, name string) kubelet.Pod {
	return kubelet.Pod{Namespace: ns, Name: name, UID: ns + "-" + name}
}

func ptr[T any](v T) *T { return &v }
