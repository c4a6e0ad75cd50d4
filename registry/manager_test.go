package registry_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registryPuller is a runtime that "pulls" from the loopback registry: for each credential
// in order (anonymous when there is none) it asks the registry for the image with that
// credential alone, and on success records the image in the store. It downloads nothing.
type registryPuller struct {
	resolver *registry.Resolver // its own, as a runtime has its own client
	store    *cache.Store

	mu    sync.Mutex
	pulls []kubelet.PullRequest
}

func (p *registryPuller) PullImage(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
	p.mu.Lock()
	p.pulls = append(p.pulls, req)
	p.mu.Unlock()
	img, err := reference.Parse(req.Image)
	if err != nil {
		return kubelet.PullResult{}, err
	}
	tries := []*credential.Credential{nil}
	if len(req.Credentials) > 0 {
		tries = tries[:0]
		for i := range req.Credentials {
			tries = append(tries, &req.Credentials[i])
		}
	}
	var msgs []string
	for _, c := range tries {
		var creds []credential.Credential
		if c != nil {
			creds = []credential.Credential{*c}
		}
		d, err := p.resolver.ResolveWithCredentials(ctx, img, creds)
		if err != nil {
			msgs = append(msgs, err.Error())
			continue
		}
		local := pullpolicy.LocalImage{ID: "sha256:" + d.Encoded(), RepoDigests: []string{img.Repository() + "@" + d.String()}}
		if err := p.store.Add(local); err != nil {
			return kubelet.PullResult{}, err
		}
		return kubelet.PullResult{ImageRef: local.ID, Credential: c}, nil
	}
	return kubelet.PullResult{}, errors.New(strings.Join(msgs, ", "))
}

func (p *registryPuller) takePulls() []kubelet.PullRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.pulls
	p.pulls = nil
	return out
}

// The Manager's resolver mode (Always, resolve then pull by digest) with a caching registry
// resolver, on a private repository behind Basic auth: a pod with the Secret resolves with
// it and pulls by digest; a pod without it fails with ErrImagePull (unauthorized, never
// "registry unavailable"), after asking the registry itself: another pod's cached answer is
// never given to it.
func TestManagerResolvesPrivateImageWithPodSecret(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword,
	}})
	pushed := push(t, reg, "private/app:v1")
	img := ref(reg, "private/app", "v1")
	cached, err := cache.NewResolver(newResolver(t, fastOptions(reg)), nil)
	require.NoError(t, err)
	store := cache.NewStore()
	puller := &registryPuller{resolver: newResolver(t, fastOptions(reg)), store: store}
	m, err := kubelet.NewImageManager(kubelet.Config{Store: store, Puller: puller, Resolver: cached})
	require.NoError(t, err)

	secret := func(name, password string) []credential.Secret {
		return []credential.Secret{{
			Namespace: "ns", Name: name, UID: name + "-uid", Type: credential.SecretTypeDockerConfigJSON,
			Data: map[string][]byte{credential.DockerConfigJSONKey: fmt.Appendf(nil,
				`{"auths":{%q:{"username":%q,"password":%q}}}`, reg.Host(), testUser, password)},
		}}
	}
	tagHEADs := func() int { return reg.Count(http.MethodHead, "/v2/private/app/manifests/v1") } // the puller asks by digest
	pinned := img.WithDigest(pushed).Familiar()
	tests := []struct {
		name    string
		pod     string
		secrets []credential.Secret
		// heads is how many manifest HEADs the Manager's resolver sends (the puller's own
		// requests are counted apart); pulled is the image string the puller gets, "" for no
		// pull.
		heads   int
		pulled  string
		wantErr bool
	}{
		// Basic auth: a credential's first request is challenged, the second carries it.
		{name: "pod with the Secret: resolved with it, pulled by digest", pod: "a", secrets: secret("regcred", testPassword), heads: 2, pulled: pinned},
		{name: "same Secret again: answered from the cache, the pulled image is used", pod: "a", secrets: secret("regcred", testPassword)},
		{name: "a copy of the Secret in another pod: same credentials, same cache entry; the pod's hash matches the record", pod: "b", secrets: secret("copy", testPassword)},
		{name: "pod without a Secret: asks the registry, unauthorized", pod: "c", heads: 1, wantErr: true},
		{name: "pod with a wrong password: asks the registry, unauthorized", pod: "d", secrets: secret("wrong", "guess"), heads: 2, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tagHEADs()
			res, err := m.EnsureImageExists(t.Context(), kubelet.Request{
				Pod:   kubelet.Pod{Namespace: "ns", Name: tc.pod, UID: tc.pod + "-uid"},
				Image: img.Original(), Policy: pullpolicy.Always, PullSecrets: tc.secrets,
			})
			pulls := puller.takePulls()
			if tc.pulled != "" {
				require.Len(t, pulls, 1)
				assert.Equal(t, tc.pulled, pulls[0].Image)
				require.Len(t, pulls[0].Credentials, 1, "the pod's Secret, as the resolver got it")
				assert.Equal(t, testUser, pulls[0].Credentials[0].Username)
			} else {
				assert.Empty(t, pulls, "no pull")
			}
			if tc.wantErr {
				require.ErrorIs(t, err, pullpolicy.ErrImagePull)
				assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
				require.ErrorIs(t, err, registry.ErrUnauthorized)
				assert.Contains(t, res.Message, "401 Unauthorized")
				assert.Empty(t, res.ImageRef)
			} else {
				require.NoError(t, err)
				assert.Equal(t, "sha256:"+pushed.Encoded(), res.ImageRef)
			}
			assert.Equal(t, tc.heads, tagHEADs()-before, "the HEADs of the Manager's resolver")
		})
	}
}
