package registrytest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// challenge parses a WWW-Authenticate header such as `Bearer realm="…",service="…"` into its
// scheme and parameters.
func challenge(t *testing.T, header string) (scheme string, params map[string]string) {
	t.Helper()
	scheme, rest, _ := strings.Cut(header, " ")
	params = make(map[string]string)
	for rest != "" {
		k, v, ok := strings.Cut(rest, `="`)
		require.True(t, ok, "malformed challenge %q", header)
		v, rest, ok = strings.Cut(v, `"`)
		require.True(t, ok, "malformed challenge %q", header)
		params[strings.TrimPrefix(k, ",")] = v
	}
	return scheme, params
}

func basic(user, pass string) http.Header {
	req, _ := http.NewRequest(http.MethodGet, "/", http.NoBody) // a constant URL cannot fail
	req.SetBasicAuth(user, pass)
	return req.Header
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// fetchToken asks the token endpoint at realm for scope with header and returns the status
// and the token.
func fetchToken(t *testing.T, c *http.Client, realm, service, scope string, header http.Header) (int, string) {
	t.Helper()
	q := url.Values{"service": {service}, "scope": {scope}}
	resp := mustDo(t, c, http.MethodGet, realm+"?"+q.Encode(), header)
	if resp.status != http.StatusOK {
		assert.Equal(t, "UNAUTHORIZED", ociErrorCode(t, resp.body))
		return resp.status, ""
	}
	var tok struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(resp.body), &tok))
	require.NotEmpty(t, tok.Token)
	assert.Equal(t, tok.Token, tok.AccessToken)
	return resp.status, tok.Token
}

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBasic, Username: "alice", Password: "s3cret",
	}})
	c := client(t)
	_, err := r.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	tests := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"no credentials", nil, http.StatusUnauthorized},
		{"wrong password", basic("alice", "wrong"), http.StatusUnauthorized},
		{"wrong user", basic("bob", "s3cret"), http.StatusUnauthorized},
		{"bearer instead of basic", bearer("s3cret"), http.StatusUnauthorized},
		{"right credentials", basic("alice", "s3cret"), http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := mustDo(t, c, http.MethodGet, r.URL()+"/v2/app/manifests/v1", tc.header)
			require.Equal(t, tc.want, resp.status)
			if tc.want == http.StatusUnauthorized {
				assert.Equal(t, "UNAUTHORIZED", ociErrorCode(t, resp.body))
				assert.Equal(t, `Basic realm="registrytest"`, resp.header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestBearerAuth(t *testing.T) {
	t.Parallel()
	for _, onOther := range []bool{false, true} {
		name := map[bool]string{false: "token on registry host", true: "token on other host"}[onOther]
		t.Run(name, func(t *testing.T) {
			r := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{
				Scheme: registrytest.AuthBearer, Username: "alice", Password: "s3cret",
				TokenOnOtherHost: onOther,
			}})
			c := client(t)
			_, err := r.PushRandom(t.Context(), "app:v1")
			require.NoError(t, err)
			manifest := r.URL() + "/v2/app/manifests/v1"

			resp := mustDo(t, c, http.MethodHead, manifest, nil)
			require.Equal(t, http.StatusUnauthorized, resp.status)
			scheme, params := challenge(t, resp.header.Get("WWW-Authenticate"))
			wantRealm := r.URL() + "/token"
			if onOther {
				wantRealm = r.OtherURL() + "/token"
			}
			assert.Equal(t, "Bearer", scheme)
			assert.Equal(t, map[string]string{
				"realm": wantRealm, "service": registrytest.DefaultService, "scope": "repository:app:pull",
			}, params)

			status, _ := fetchToken(t, c, params["realm"], params["service"], params["scope"], basic("alice", "wrong"))
			assert.Equal(t, http.StatusUnauthorized, status, "wrong password")
			status, _ = fetchToken(t, c, params["realm"], params["service"], params["scope"], nil)
			assert.Equal(t, http.StatusUnauthorized, status, "anonymous not allowed")
			status, token := fetchToken(t, c, params["realm"], params["service"], params["scope"], basic("alice", "s3cret"))
			require.Equal(t, http.StatusOK, status)

			assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodHead, manifest, bearer(token)).status)
			assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodGet, manifest, bearer(token)).status)
			assert.Equal(t, http.StatusUnauthorized, mustDo(t, c, http.MethodHead, manifest, bearer("forged")).status)
			assert.Equal(t, http.StatusUnauthorized, mustDo(t, c, http.MethodHead, manifest, basic("alice", "s3cret")).status,
				"the registry takes tokens, not passwords")

			other := mustDo(t, c, http.MethodHead, r.URL()+"/v2/other/manifests/v1", bearer(token))
			require.Equal(t, http.StatusUnauthorized, other.status, "the token is for repository app only")
			_, params = challenge(t, other.header.Get("WWW-Authenticate"))
			assert.Equal(t, "repository:other:pull", params["scope"])
			assert.Equal(t, "insufficient_scope", params["error"])

			// Which credentials reached which host: the password only the realm's host, the
			// token only the registry.
			tokenHost := map[bool]string{false: r.Host(), true: r.OtherHost()}[onOther]
			for _, q := range r.Requests() {
				switch {
				case q.Path == "/token":
					assert.Equal(t, tokenHost, q.Host)
					assert.NotContains(t, q.Authorization, "Bearer")
				case strings.HasPrefix(q.Authorization, "Bearer"):
					assert.Equal(t, r.Host(), q.Host)
				}
			}
			assert.Equal(t, 3, countRequests(r, tokenHost, "/token"))
		})
	}
}

// countRequests counts the recorded requests to host with the given path.
func countRequests(r *registrytest.Registry, host, path string) int {
	n := 0
	for _, q := range r.Requests() {
		if q.Host == host && q.Path == path {
			n++
		}
	}
	return n
}

func TestBearerAnonymousAndPush(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBearer, Username: "alice", Password: "s3cret", Anonymous: true, Service: "my.registry",
	}})
	c := client(t)
	_, err := r.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	realm := r.URL() + "/token"

	status, anon := fetchToken(t, c, realm, "my.registry", "repository:app:pull,push", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodGet, r.URL()+"/v2/app/manifests/v1", bearer(anon)).status)

	del := mustDo(t, c, http.MethodDelete, r.URL()+"/v2/app/manifests/v1", bearer(anon))
	require.Equal(t, http.StatusUnauthorized, del.status, "anonymous tokens do not get push")
	_, params := challenge(t, del.header.Get("WWW-Authenticate"))
	assert.Equal(t, "repository:app:push", params["scope"])
	assert.Equal(t, "my.registry", params["service"])

	// POST with an OAuth2 password grant, as some clients send.
	form := url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"s3cret"},
		"service": {"my.registry"}, "scope": {"repository:app:pull,push"}}
	resp, err := c.PostForm(realm, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	assert.Equal(t, http.StatusAccepted, mustDo(t, c, http.MethodDelete, r.URL()+"/v2/app/manifests/v1", bearer(tok.AccessToken)).status)

	form.Set("password", "wrong")
	bad, err := c.PostForm(realm, form)
	require.NoError(t, err)
	bad.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, bad.StatusCode)
}

func TestAuthPathPrefixAndSwitch(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	c := client(t)
	for _, ref := range []string{"private/app:v1", "public/app:v1"} {
		_, err := r.PushRandom(t.Context(), ref)
		require.NoError(t, err)
	}
	private, public := r.URL()+"/v2/private/app/manifests/v1", r.URL()+"/v2/public/app/manifests/v1"
	assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodHead, private, nil).status, "no auth at first")

	r.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "u", Password: "p", PathPrefix: "/v2/private/"})
	assert.Equal(t, http.StatusUnauthorized, mustDo(t, c, http.MethodHead, private, nil).status)
	assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodHead, private, basic("u", "p")).status)
	assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodHead, public, nil).status)
	assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodGet, r.OtherURL()+"/v2/private/app/manifests/v1", nil).status,
		"the other host never authenticates")

	r.SetAuth(registrytest.Auth{})
	assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodHead, private, nil).status)
}
