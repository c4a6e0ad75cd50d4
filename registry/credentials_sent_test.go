package registry_test

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResolveSendsCredentialsExactlyWhere pins what the README states about where credentials
// go: the registry's Basic credentials are sent to the registry host under Basic auth, and to
// the Bearer challenge's token realm under Bearer auth, even when the realm is another host or
// port (Docker Hub's realm, auth.docker.io, is another host: the token protocol needs it); the
// registry host then gets only the token. A redirect to another host carries no credentials.
// Every request seen on either listener is accounted for: the observed set must equal the
// expected one exactly.
func TestResolveSendsCredentialsExactlyWhere(t *testing.T) {
	t.Parallel()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPassword))
	tests := []struct {
		name   string
		auth   registrytest.Auth
		faults []registrytest.Fault
		want   []string // "host path authorization", sorted
	}{
		{
			name: "Basic: the registry host gets the credentials",
			auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword},
			want: []string{"registry manifest basic", "registry manifest none"},
		},
		{
			name: "Bearer, realm on the registry host: the token endpoint gets the credentials",
			auth: registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword},
			want: []string{"registry manifest bearer", "registry manifest none", "registry token basic"},
		},
		{
			name: "Bearer, realm on another port of the same IP: the credentials go there",
			auth: registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword, TokenOnOtherHost: true},
			want: []string{"other token basic", "registry manifest bearer", "registry manifest none"},
		},
		{
			name:   "Basic, manifest redirected to another host: nothing goes there",
			auth:   registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword},
			faults: []registrytest.Fault{{Method: http.MethodHead, PathPrefix: "/v2/app/manifests/", Redirect: true}},
			want:   []string{"other manifest none", "registry manifest basic", "registry manifest none"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := registrytest.New(t, registrytest.Options{})
			push(t, reg, "app:v1")
			reg.SetAuth(tc.auth)
			for _, f := range tc.faults {
				_, err := reg.Inject(f)
				require.NoError(t, err)
			}
			opts := fastOptions(reg)
			opts.Credentials = mustKeyring(t, reg.Host(), testUser, testPassword)
			_, err := newResolver(t, opts).Resolve(t.Context(), ref(reg, "app", "v1"))
			require.NoError(t, err)

			var got []string
			for _, req := range reg.Requests() {
				host := map[bool]string{true: "registry", false: "other"}[req.Host == reg.Host()]
				path := "manifest"
				if req.Path == "/token" {
					path = "token"
				}
				var authz string
				switch {
				case req.Authorization == "":
					authz = "none"
				case req.Authorization == basic:
					authz = "basic"
				case strings.HasPrefix(req.Authorization, "Bearer "):
					authz = "bearer"
				default:
					authz = "other: " + req.Authorization
				}
				if s := host + " " + path + " " + authz; !slices.Contains(got, s) {
					got = append(got, s)
				}
			}
			slices.Sort(got)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestResolveNeverSendsPodCredentialsToAMirror: a mirror gets only the node credentials for
// its own host, never the pod's.
func TestResolveNeverSendsPodCredentialsToAMirror(t *testing.T) {
	t.Parallel()
	upstream := registrytest.New(t, registrytest.Options{})
	mirror := registrytest.New(t, registrytest.Options{})
	want := push(t, upstream, "app:v1")
	_, err := mirror.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	mirror.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword})
	opts := fastOptions(upstream)
	opts.PlainHTTP = append(opts.PlainHTTP, mirror.Host())
	opts.Mirrors = map[string][]string{upstream.Host(): {mirror.Host()}}
	r := newResolver(t, opts)
	got, err := r.ResolveWithCredentials(t.Context(), ref(upstream, "app", "v1"), podCredentials(testUser, testPassword))
	require.NoError(t, err)
	assert.Equal(t, want, got, "the mirror refused: the upstream answered")
	for _, req := range mirror.Requests() {
		assert.Empty(t, req.Authorization, "the mirror got no credentials: %+v", req)
	}
}
