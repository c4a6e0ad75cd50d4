package registry_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testUser     = "alice"
	testPassword = "correct horse"
)

func TestResolveAuthModes(t *testing.T) {
	t.Parallel()
	right := [2]string{testUser, testPassword}
	wrong := [2]string{testUser, "wrong"}
	tests := []struct {
		name string
		auth registrytest.Auth
		// cred is the user and password configured for the registry host; zero means none.
		cred [2]string
		// wantErr is the kind of error expected, nil for success.
		wantErr error
	}{
		{name: "anonymous", auth: registrytest.Auth{}},
		{name: "basic", auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword}, cred: right},
		{name: "basic wrong password", auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword}, cred: wrong, wantErr: registry.ErrUnauthorized},
		{name: "basic no credentials", auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword}, wantErr: registry.ErrUnauthorized},
		{name: "bearer", auth: registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword}, cred: right},
		{name: "bearer token service on another host", auth: registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword, TokenOnOtherHost: true}, cred: right},
		{name: "bearer anonymous token", auth: registrytest.Auth{Scheme: registrytest.AuthBearer, Anonymous: true}},
		{name: "bearer wrong password", auth: registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword}, cred: wrong, wantErr: registry.ErrUnauthorized},
		{name: "bearer no credentials", auth: registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword}, wantErr: registry.ErrUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := registrytest.New(t, registrytest.Options{Auth: tc.auth})
			want := push(t, reg, "app:v1")
			opts := fastOptions(reg)
			if tc.cred != [2]string{} {
				opts.Credentials = mustKeyring(t, reg.Host(), tc.cred[0], tc.cred[1])
			}
			r := newResolver(t, opts)

			got, err := r.Resolve(t.Context(), ref(reg, "app", "v1"))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable, "an unauthorized answer is never unavailable")
				var re *registry.Error
				require.ErrorAs(t, err, &re)
				assert.Equal(t, http.StatusUnauthorized, re.StatusCode)
				assert.Contains(t, err.Error(), reg.Ref("app", "v1"))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Zero(t, reg.Count(http.MethodGet, "/v2/app/manifests/"), "no GET when HEAD answers")
		})
	}
}

func TestResolveBearerCredentialsGoOnlyToTheTokenService(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword, TokenOnOtherHost: true,
	}})
	want := push(t, reg, "app:v1")
	opts := fastOptions(reg)
	opts.Credentials = mustKeyring(t, reg.Host(), testUser, testPassword)
	got, err := newResolver(t, opts).Resolve(t.Context(), ref(reg, "app", "v1"))
	require.NoError(t, err)
	assert.Equal(t, want, got)

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPassword))
	var tokenRequests int
	for _, req := range reg.Requests() {
		switch {
		case req.Host == reg.OtherHost() && req.Path == "/token":
			tokenRequests++
			assert.Equal(t, basic, req.Authorization, "the token service gets the credentials")
		case req.Host == reg.Host():
			assert.False(t, strings.HasPrefix(req.Authorization, "Basic"), "the registry gets only a token: %+v", req)
		}
	}
	assert.Equal(t, 1, tokenRequests)
}

// mustKeyring returns a node keyring holding user and password for the location loc.
func mustKeyring(t testing.TB, loc, user, password string) *credential.Keyring {
	t.Helper()
	doc, err := json.Marshal(map[string]any{"auths": map[string]any{loc: map[string]string{"username": user, "password": password}}})
	require.NoError(t, err)
	k, err := credential.FromDockerConfigJSON(doc, credential.Source{})
	require.NoError(t, err)
	return k
}

// podCredentials returns the credentials of a pod's Secret for reg's repositories, as a
// Puller gets them.
func podCredentials(user, password string) []credential.Credential {
	c := credential.Credential{Username: user, Password: password, Source: credential.Source{Kind: credential.SourceSecret, Namespace: "ns", Name: "regcred"}}
	c.Hash = credential.Hash(c)
	return []credential.Credential{c}
}

func TestResolveMultiArchIndex(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{})
	index, manifests, err := reg.PushIndex(t.Context(), "multi:v1", "linux/amd64", "linux/arm64/v8")
	require.NoError(t, err)
	r := newResolver(t, fastOptions(reg))

	got, err := r.Resolve(t.Context(), ref(reg, "multi", "v1"))
	require.NoError(t, err)
	assert.Equal(t, index, got, "the index digest, not a platform's")
	assert.NotContains(t, manifests, got)
	assert.Equal(t, 1, reg.Count(http.MethodHead, "/v2/multi/manifests/v1"))
	assert.Zero(t, reg.Count(http.MethodGet, ""))
}

func TestResolveUnchangedTagIsOneHEAD(t *testing.T) {
	t.Parallel()
	for _, scheme := range []registrytest.AuthScheme{registrytest.AuthNone, registrytest.AuthBasic, registrytest.AuthBearer} {
		t.Run(map[registrytest.AuthScheme]string{0: "anonymous", 1: "basic", 2: "bearer"}[scheme], func(t *testing.T) {
			t.Parallel()
			reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: scheme, Username: testUser, Password: testPassword}})
			want := push(t, reg, "app:v1")
			opts := fastOptions(reg)
			opts.Credentials = mustKeyring(t, reg.Host(), testUser, testPassword)
			r := newResolver(t, opts)
			img := ref(reg, "app", "v1")
			_, err := r.Resolve(t.Context(), img) // learns the auth scheme, fetches a token
			require.NoError(t, err)
			reg.ResetCounts()

			got, err := r.Resolve(t.Context(), img)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Equal(t, 1, reg.Count("", "/"), "exactly one request: %v", reg.Counts())
			assert.Equal(t, 1, reg.Count(http.MethodHead, "/v2/app/manifests/v1"))
		})
	}
}

func TestResolveTagMoves(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{})
	first := push(t, reg, "app:v1")
	r := newResolver(t, fastOptions(reg))
	img := ref(reg, "app", "v1")
	got, err := r.Resolve(t.Context(), img)
	require.NoError(t, err)
	assert.Equal(t, first, got)

	second := push(t, reg, "app:v1")
	require.NotEqual(t, first, second)
	got, err = r.Resolve(t.Context(), img)
	require.NoError(t, err)
	assert.Equal(t, second, got)
}

func TestResolveDigestReference(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{})
	d := push(t, reg, "app:v1")
	other := push(t, reg, "app:v2")
	r := newResolver(t, fastOptions(reg))
	absent := digest.FromString("not pushed")
	tests := []struct {
		name    string
		image   string
		path    string // the manifest path asked for
		want    digest.Digest
		wantErr error
	}{
		{name: "digest", image: reg.Host() + "/app@" + d.String(), path: "/v2/app/manifests/" + d.String(), want: d},
		{name: "tag and digest: the digest wins", image: reg.Ref("app", "v2") + "@" + d.String(), path: "/v2/app/manifests/" + d.String(), want: d},
		{name: "digest the registry lacks", image: reg.Host() + "/app@" + absent.String(), path: "/v2/app/manifests/" + absent.String(), wantErr: registry.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := reg.Count(http.MethodHead, tc.path)
			got, err := r.Resolve(t.Context(), reference.MustParse(tc.image))
			assert.Equal(t, before+1, reg.Count(http.MethodHead, tc.path), "HEAD by digest")
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.NotEqual(t, other, got)
		})
	}
	assert.Zero(t, reg.Count(http.MethodGet, ""))
}

func TestResolveNotFound(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{})
	push(t, reg, "app:v1")
	r := newResolver(t, fastOptions(reg))
	for _, img := range []string{reg.Ref("app", "missing"), reg.Ref("norepo", "v1")} {
		_, err := r.Resolve(t.Context(), reference.MustParse(img))
		require.ErrorIs(t, err, registry.ErrNotFound)
		assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
		assert.NotErrorIs(t, err, registry.ErrUnauthorized)
		var re *registry.Error
		require.ErrorAs(t, err, &re)
		assert.Equal(t, http.StatusNotFound, re.StatusCode)
		assert.Equal(t, reg.Host(), re.Registry)
		assert.Contains(t, err.Error(), img)
	}
	assert.Equal(t, 2, reg.Count(http.MethodHead, "/v2/"), "a 404 is not retried")
}

// Two pods with different credentials share one Resolver: each call uses only its own
// credentials, and a token obtained with one pod's credentials never serves the other's.
func TestResolveWithPerCallCredentials(t *testing.T) {
	t.Parallel()
	for _, scheme := range []registrytest.AuthScheme{registrytest.AuthBasic, registrytest.AuthBearer} {
		t.Run(map[registrytest.AuthScheme]string{1: "basic", 2: "bearer"}[scheme], func(t *testing.T) {
			t.Parallel()
			reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: scheme, Username: testUser, Password: testPassword}})
			want := push(t, reg, "app:v1")
			r := newResolver(t, fastOptions(reg)) // no node credentials
			img := ref(reg, "app", "v1")
			good := podCredentials(testUser, testPassword)
			bad := podCredentials("mallory", "guess")

			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					got, err := r.ResolveWithCredentials(t.Context(), img, good)
					assert.NoError(t, err)
					assert.Equal(t, want, got)
				})
				wg.Go(func() {
					_, err := r.WithCredentials(bad).Resolve(t.Context(), img)
					assert.ErrorIs(t, err, registry.ErrUnauthorized)
				})
				wg.Go(func() {
					_, err := r.Resolve(t.Context(), img)
					assert.ErrorIs(t, err, registry.ErrUnauthorized)
				})
			}
			wg.Wait()
		})
	}
}

// Every matching credential is tried in order until the registry accepts one, pod
// credentials before node credentials, as the kubelet does.
func TestResolveTriesEachMatchingCredential(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword}})
	want := push(t, reg, "team/app:v1")
	secret, err := credential.FromDockerConfigJSON([]byte(`{"auths":{
		"`+reg.Host()+`/team": {"username": "stale", "password": "rotated-away"},
		"`+reg.Host()+`":      {"username": "other", "password": "nope"}
	}}`), credential.Source{Kind: credential.SourceSecret, Name: "regcred"})
	require.NoError(t, err)
	img := ref(reg, "team/app", "v1")
	pod := secret.Lookup(img.Repository())
	opts := fastOptions(reg)
	opts.Credentials = mustKeyring(t, reg.Host(), testUser, testPassword)
	r := newResolver(t, opts)

	got, err := r.ResolveWithCredentials(t.Context(), img, pod)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	var order []string
	for _, req := range reg.Requests() {
		if req.Authorization != "" {
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(req.Authorization, "Basic "))
			require.NoError(t, err)
			user, _, _ := strings.Cut(string(raw), ":")
			order = append(order, user)
		}
	}
	assert.Equal(t, []string{"stale", "other", testUser}, order)
}

func TestResolveMirrors(t *testing.T) {
	t.Parallel()
	upstream := registrytest.New(t, registrytest.Options{})
	mirror := registrytest.New(t, registrytest.Options{})
	second := registrytest.New(t, registrytest.Options{})
	want := push(t, upstream, "app:v1")

	opts := fastOptions(upstream)
	opts.PlainHTTP = append(opts.PlainHTTP, second.Host())
	opts.Mirrors = map[string][]string{upstream.Host(): {"http://" + mirror.Host(), second.Host()}}
	r := newResolver(t, opts)
	img := ref(upstream, "app", "v1")

	t.Run("mirror without the image falls back to the next, then the registry", func(t *testing.T) {
		got, err := r.Resolve(t.Context(), img)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, 1, mirror.Count(http.MethodHead, "/v2/app/manifests/v1"))
		assert.Equal(t, 1, second.Count(http.MethodHead, "/v2/app/manifests/v1"))
		assert.Equal(t, 1, upstream.Count(http.MethodHead, "/v2/app/manifests/v1"))
		reqs := mirror.Requests()
		require.NotEmpty(t, reqs)
		assert.Equal(t, "ns="+upstream.Host(), reqs[0].Query, "mirrors are told which registry is meant")
	})
	t.Run("a mirror with the image answers alone", func(t *testing.T) {
		mirrored := push(t, second, "app:v1")
		upstream.ResetCounts()
		got, err := r.Resolve(t.Context(), img)
		require.NoError(t, err)
		assert.Equal(t, mirrored, got)
		assert.Zero(t, upstream.Count("", "/"))
	})
	t.Run("unavailable mirrors are skipped", func(t *testing.T) {
		mirror.Stop()
		second.Stop()
		upstream.ResetCounts()
		got, err := r.Resolve(t.Context(), img)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, 1, upstream.Count(http.MethodHead, "/v2/app/manifests/v1"))
	})
	t.Run("the registry's answer decides", func(t *testing.T) {
		_, err := r.Resolve(t.Context(), ref(upstream, "app", "missing"))
		require.ErrorIs(t, err, registry.ErrNotFound)
		assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable, "unavailable mirrors do not make the registry unavailable")
		assert.Contains(t, err.Error(), "mirrors tried first")
	})
}

// Docker Hub references go to registry-1.docker.io with "library/" names. The transport
// sends every connection to the loopback registry, so the test needs no network.
func TestResolveDockerHub(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{})
	want := push(t, reg, "library/nginx:1.27")
	var (
		mu     sync.Mutex
		dialed []string
	)
	var d net.Dialer
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, addr)
		mu.Unlock()
		return d.DialContext(ctx, network, reg.Host())
	}}
	t.Cleanup(transport.CloseIdleConnections)
	r := newResolver(t, &registry.Options{Transport: transport, PlainHTTP: []string{"registry-1.docker.io"}})

	for _, image := range []string{"nginx:1.27", "docker.io/library/nginx:1.27", "index.docker.io/library/nginx:1.27"} {
		got, err := r.Resolve(t.Context(), reference.MustParse(image))
		require.NoError(t, err, image)
		assert.Equal(t, want, got, image)
	}
	assert.Equal(t, 3, reg.Count(http.MethodHead, "/v2/library/nginx/manifests/1.27"))
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, dialed)
	for _, addr := range dialed {
		assert.Equal(t, "registry-1.docker.io:80", addr)
	}
}

func TestResolvePlainHTTPOnlyForNamedHosts(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{})
	push(t, reg, "app:v1")
	r := newResolver(t, &registry.Options{MaxRetries: -1})
	_, err := r.Resolve(t.Context(), ref(reg, "app", "v1"))
	require.Error(t, err, "HTTPS to a plain HTTP registry must fail")
	assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable, "a protocol mismatch is a configuration error")
	assert.Zero(t, reg.Count("", "/"))

	for _, plain := range []string{reg.Host(), "127.0.0.1"} {
		r := newResolver(t, &registry.Options{PlainHTTP: []string{plain}})
		_, err := r.Resolve(t.Context(), ref(reg, "app", "v1"))
		require.NoError(t, err, plain)
	}
}

func TestResolveInvalidInput(t *testing.T) {
	t.Parallel()
	r := newResolver(t, nil)
	_, err := r.Resolve(t.Context(), reference.Image{})
	require.Error(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = r.Resolve(ctx, reference.MustParse("127.0.0.1:1/app:v1"))
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
}

func TestNewResolverOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    *registry.Options
		wantErr string // "" for valid options
	}{
		{name: "nil", opts: nil},
		{name: "zero", opts: &registry.Options{}},
		{name: "everything", opts: &registry.Options{
			PlainHTTP: []string{"localhost:5000", "registry.local"},
			Mirrors:   map[string][]string{"docker.io": {"https://mirror.example.com", "http://10.0.0.1:5000/", "mirror.local:5000"}},
			UserAgent: "kubelet/1.36", Timeout: 5e9, AttemptTimeout: 1e9, MaxRetries: -1, RetryBackoff: 1e6, MaxRetryWait: 1e9, MaxManifestBytes: 1 << 20,
		}},
		{name: "negative timeout", opts: &registry.Options{Timeout: -1}, wantErr: "negative duration"},
		{name: "negative manifest limit", opts: &registry.Options{MaxManifestBytes: -1}, wantErr: "MaxManifestBytes"},
		{name: "too many retries", opts: &registry.Options{MaxRetries: 11}, wantErr: "MaxRetries 11"},
		{name: "retries below -1", opts: &registry.Options{MaxRetries: -2}, wantErr: "MaxRetries -2"},
		{name: "attempt timeout with own transport", opts: &registry.Options{Transport: &http.Transport{}, AttemptTimeout: 1e9}, wantErr: "AttemptTimeout"},
		{name: "user agent with newline", opts: &registry.Options{UserAgent: "a\nb"}, wantErr: "control characters"},
		{name: "plain HTTP with scheme", opts: &registry.Options{PlainHTTP: []string{"http://localhost:5000"}}, wantErr: "PlainHTTP"},
		{name: "plain HTTP with path", opts: &registry.Options{PlainHTTP: []string{"localhost/x"}}, wantErr: "PlainHTTP"},
		{name: "mirror with bad scheme", opts: &registry.Options{Mirrors: map[string][]string{"docker.io": {"ftp://m"}}}, wantErr: "scheme"},
		{name: "mirror with path", opts: &registry.Options{Mirrors: map[string][]string{"docker.io": {"https://m/prefix"}}}, wantErr: "mirror"},
		{name: "mirror for a bad registry", opts: &registry.Options{Mirrors: map[string][]string{"https://docker.io": {"m"}}}, wantErr: "registry"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := registry.NewResolver(tc.opts)
			if tc.wantErr == "" {
				require.NoError(t, err)
				require.NotNil(t, r)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
			assert.ErrorIs(t, err, registry.ErrInvalidOptions)
		})
	}
}

// A caller that gives up while a token is being fetched does not fail another caller waiting
// for a token with the same credentials.
func TestResolveCancelledTokenFetchDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword}})
	want := push(t, reg, "app:v1")
	_, err := reg.Inject(registrytest.Fault{PathPrefix: "/token", Delay: 500 * time.Millisecond, Times: 1})
	require.NoError(t, err)
	opts := fastOptions(reg)
	opts.Credentials = mustKeyring(t, reg.Host(), testUser, testPassword)
	r := newResolver(t, opts)
	img := ref(reg, "app", "v1")

	impatient, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := r.Resolve(impatient, img)
		assert.ErrorIs(t, err, context.Canceled)
	})
	wg.Go(func() {
		for reg.Count(http.MethodGet, "/token") == 0 { // the impatient caller is fetching
			time.Sleep(time.Millisecond)
		}
		time.AfterFunc(50*time.Millisecond, cancel)
		got, err := r.Resolve(t.Context(), img)
		assert.NoError(t, err)
		assert.Equal(t, want, got)
	})
	wg.Wait()
}

// recordingTransport is a real transport that remembers the User-Agent of each request.
type recordingTransport struct {
	http.Transport
	mu     sync.Mutex
	agents []string
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.agents = append(rt.agents, req.Header.Get("User-Agent"))
	rt.mu.Unlock()
	return rt.Transport.RoundTrip(req)
}

func TestResolveUserAgent(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: registrytest.AuthBearer, Anonymous: true}})
	push(t, reg, "app:v1")
	for _, tc := range []struct{ set, want string }{{"", "imagepull/"}, {"kubelet/v1.36.3", "kubelet/v1.36.3"}} {
		rt := &recordingTransport{}
		t.Cleanup(rt.CloseIdleConnections)
		r := newResolver(t, &registry.Options{Transport: rt, PlainHTTP: []string{reg.Host()}, UserAgent: tc.set})
		_, err := r.Resolve(t.Context(), ref(reg, "app", "v1"))
		require.NoError(t, err)
		require.Len(t, rt.agents, 3, "HEAD, token, HEAD")
		for _, ua := range rt.agents {
			assert.True(t, strings.HasPrefix(ua, tc.want), "User-Agent %q, want prefix %q", ua, tc.want)
		}
	}
}

// A mirror gets the credentials found for its own host, never those of the registry it
// mirrors.
func TestResolveMirrorCredentials(t *testing.T) {
	t.Parallel()
	upstreamAuth := registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword}
	mirrorAuth := registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "mirror", Password: "mirror-pw"}
	upstream := registrytest.New(t, registrytest.Options{Auth: upstreamAuth})
	mirror := registrytest.New(t, registrytest.Options{Auth: mirrorAuth})
	want := push(t, upstream, "app:v1")
	pod := podCredentials(testUser, testPassword)
	upstreamBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPassword))

	t.Run("mirror without credentials is skipped, and never sees the registry's", func(t *testing.T) {
		opts := fastOptions(upstream)
		opts.Mirrors = map[string][]string{upstream.Host(): {"http://" + mirror.Host()}}
		got, err := newResolver(t, opts).ResolveWithCredentials(t.Context(), ref(upstream, "app", "v1"), pod)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, 1, mirror.Count(http.MethodHead, "/v2/app/manifests/v1"))
		for _, req := range mirror.Requests() {
			assert.NotEqual(t, upstreamBasic, req.Authorization)
		}
	})
	t.Run("mirror with its own credentials answers", func(t *testing.T) {
		mirrored := push(t, mirror, "app:v1")
		upstream.ResetCounts()
		opts := fastOptions(upstream)
		opts.Mirrors = map[string][]string{upstream.Host(): {"http://" + mirror.Host()}}
		opts.Credentials = mustKeyring(t, mirror.Host(), "mirror", "mirror-pw")
		got, err := newResolver(t, opts).ResolveWithCredentials(t.Context(), ref(upstream, "app", "v1"), pod)
		require.NoError(t, err)
		assert.Equal(t, mirrored, got)
		assert.Zero(t, upstream.Count("", "/"))
		for _, req := range mirror.Requests() {
			assert.NotEqual(t, upstreamBasic, req.Authorization)
		}
	})
}

// A call's credentials are read as a registry client reads a CRI AuthConfig: username and
// password, or else the "auth" field; one that cannot be used is reported and the next tried.
func TestResolveCredentialForms(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword}})
	want := push(t, reg, "app:v1")
	r := newResolver(t, fastOptions(reg))
	img := ref(reg, "app", "v1")
	const secret = "S3CR3T"
	good := credential.Credential{Username: testUser, Password: testPassword}
	tests := []struct {
		name  string
		creds []credential.Credential
		// wantErr is a substring of the error; "" for success with the pushed digest.
		wantErr string
	}{
		{name: "username and password", creds: []credential.Credential{good}},
		{name: "padded auth field", creds: []credential.Credential{{Auth: base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPassword))}}},
		{name: "unpadded auth field", creds: []credential.Credential{{Auth: base64.RawStdEncoding.EncodeToString([]byte(testUser + ":" + testPassword))}}},
		{name: "username wins over auth", creds: []credential.Credential{{Username: testUser, Password: testPassword, Auth: "bm9wZTpub3Bl"}}},
		{name: "duplicates are tried once", creds: []credential.Credential{{Username: "mallory", Password: secret}, {Username: "mallory", Password: secret, Email: "other"}},
			wantErr: "401 Unauthorized"},
		{name: "auth field not base64", creds: []credential.Credential{{Auth: "!" + secret}}, wantErr: "credential auth: auth field is not base64(username:password)"},
		{name: "auth field without colon", creds: []credential.Credential{{Auth: base64.StdEncoding.EncodeToString([]byte(secret))}}, wantErr: "auth field is not base64(username:password)"},
		{name: "an unusable credential is skipped", creds: []credential.Credential{{Auth: "!" + secret}, good}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg.ResetCounts()
			got, err := r.ResolveWithCredentials(t.Context(), img, tc.creds)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, registry.ErrUnauthorized)
				assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
				assert.ErrorContains(t, err, tc.wantErr)
				assert.NotContains(t, err.Error(), secret, "errors never show a secret")
				assert.LessOrEqual(t, reg.Count(http.MethodHead, "/v2/app/manifests/v1"), 2, "one credential, one challenge")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}
