package registry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probeSecret is the password of the probe tests' registries; it must never show in a
// result.
const probeSecret = "s3cret-Pa55word"

// secretCred is a credential from Secret ns/pull.
func secretCred(user, password string) *credential.Credential {
	return &credential.Credential{Username: user, Password: password,
		Source: credential.Source{Kind: credential.SourceSecret, Namespace: "ns", Name: "pull"}}
}

// probeCase is one registry setup and the classification expected of it.
type probeCase struct {
	name string
	// setup prepares a registry and returns the image to probe, the resolver's options and
	// the credential (nil: anonymous).
	setup func(t *testing.T) (img string, opts *registry.Options, cred *credential.Credential)
	want  registry.Kind
	check func(t *testing.T, res registry.ProbeResult)
	text  string // a part of Text() expected
}

// plainReg starts a plain HTTP registry with app:v1 and app:v1.9 and returns it with the
// resolver options for it.
func plainReg(t *testing.T, a registrytest.Auth) (*registrytest.Registry, *registry.Options) {
	reg := registrytest.New(t, registrytest.Options{Auth: a})
	push(t, reg, "app:v1")
	push(t, reg, "app:v1.9")
	return reg, fastOptions(reg)
}

func TestProbeClassifies(t *testing.T) {
	basic := registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "alice", Password: probeSecret}
	bearer := registrytest.Auth{Scheme: registrytest.AuthBearer, Username: "alice", Password: probeSecret}
	cases := []probeCase{{
		name: "found anonymously",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, registrytest.Auth{})
			return reg.Ref("app", "v1"), opts, nil
		},
		want: registry.KindFound,
		check: func(t *testing.T, res registry.ProbeResult) {
			assert.Equal(t, "sha256", res.Digest.Algorithm().String())
			assert.Equal(t, "anonymous", res.Credential)
			assert.NoError(t, res.Err)
		},
		text: "serves tag \"v1\" of app as sha256:",
	}, {
		name: "found with the Secret's credential through the token service",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, bearer)
			return reg.Ref("app", "v1"), opts, secretCred("alice", probeSecret)
		},
		want: registry.KindFound,
		text: "to user alice (secret ns/pull)",
	}, {
		name: "found through GET when HEAD is refused",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, registrytest.Auth{})
			inject(t, reg, registrytest.Fault{Method: "HEAD", PathPrefix: "/v2/app/manifests/", Status: http.StatusMethodNotAllowed})
			t.Cleanup(func() { assert.Equal(t, 1, reg.Count("GET", "/v2/app/manifests/v1")) })
			return reg.Ref("app", "v1"), opts, nil
		},
		want: registry.KindFound,
	}, {
		name: "a body that does not match its digest header",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, registrytest.Auth{})
			d := push(t, reg, "app:v2")
			inject(t, reg, registrytest.Fault{PathPrefix: "/v2/app/manifests/", WrongDigest: true})
			return reg.Host() + "/app@" + d.String(), opts, nil
		},
		want: registry.KindDigestMismatch,
		text: "that does not match its digest: Docker-Content-Digest header says sha256:",
	}, {
		name: "a tags list the credential may not read leaves the tags unknown",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, registrytest.Auth{})
			inject(t, reg, registrytest.Fault{PathPrefix: "/v2/app/tags/", Status: http.StatusForbidden})
			return reg.Ref("app", "v2"), opts, nil
		},
		want: registry.KindNotFound,
		check: func(t *testing.T, res registry.ProbeResult) {
			assert.False(t, res.TagsListed)
			assert.Empty(t, res.Tags)
		},
		text: `has no tag "v2" of app`,
	}, {
		name: "wrong tag lists the tags that exist",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, registrytest.Auth{})
			return reg.Ref("app", "v2"), opts, nil
		},
		want: registry.KindNotFound,
		check: func(t *testing.T, res registry.ProbeResult) {
			assert.True(t, res.TagsListed)
			assert.Equal(t, []string{"v1", "v1.9"}, res.Tags)
			assert.False(t, res.TagsTruncated)
			assert.Equal(t, http.StatusNotFound, res.StatusCode)
			assert.Equal(t, "MANIFEST_UNKNOWN", res.Code)
		},
		text: `has no tag "v2" of app (tags: v1, v1.9)`,
	}, {
		name: "wrong digest behind Bearer auth lists the tags with the same credential",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, bearer)
			return reg.Host() + "/app@sha256:" + strings.Repeat("ab", 32), opts, secretCred("alice", probeSecret)
		},
		want: registry.KindNotFound,
		check: func(t *testing.T, res registry.ProbeResult) {
			assert.Equal(t, []string{"v1", "v1.9"}, res.Tags)
		},
		text: "has no digest sha256:abab",
	}, {
		name: "unknown repository",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, registrytest.Auth{})
			return reg.Ref("nosuch", "v1"), opts, nil
		},
		want: registry.KindRepositoryNotFound,
		check: func(t *testing.T, res registry.ProbeResult) {
			assert.Empty(t, res.Tags)
		},
		text: `has no repository "nosuch"`,
	}, {
		name: "Basic auth rejects a wrong password",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, basic)
			return reg.Ref("app", "v1"), opts, secretCred("alice", "old-"+probeSecret)
		},
		want: registry.KindUnauthorized,
		check: func(t *testing.T, res registry.ProbeResult) {
			assert.False(t, res.TokenService)
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
			assert.Equal(t, "UNAUTHORIZED", res.Code)
		},
		text: "rejected user alice (secret ns/pull): 401 UNAUTHORIZED",
	}, {
		name: "Basic auth refuses anonymous access",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, basic)
			return reg.Ref("app", "v1"), opts, nil
		},
		want: registry.KindUnauthorized,
		text: "requires credentials for app; anonymous access was refused: 401 Unauthorized",
	}, {
		name: "the token service rejects an expired password",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, bearer)
			return reg.Ref("app", "v1"), opts, secretCred("alice", "expired-"+probeSecret)
		},
		want: registry.KindUnauthorized,
		check: func(t *testing.T, res registry.ProbeResult) {
			assert.True(t, res.TokenService)
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
			assert.Equal(t, "invalid username or password", res.Detail)
		},
		text: "the token service of 127.0.0.1:",
	}, {
		name: "the token service refuses anonymous access",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, bearer)
			return reg.Ref("app", "v1"), opts, nil
		},
		want: registry.KindUnauthorized,
		check: func(t *testing.T, res registry.ProbeResult) {
			assert.True(t, res.TokenService)
		},
		text: "anonymous access was refused: 401 UNAUTHORIZED credentials required",
	}, {
		name: "denied",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, basic)
			inject(t, reg, registrytest.Fault{PathPrefix: "/v2/app/manifests/", Status: http.StatusForbidden})
			return reg.Ref("app", "v1"), opts, secretCred("alice", probeSecret)
		},
		want: registry.KindDenied,
		check: func(t *testing.T, res registry.ProbeResult) {
			assert.Equal(t, "DENIED", res.Code, "the GET after the HEAD reads the error code")
		},
		text: "denied user alice (secret ns/pull) access to app: 403 DENIED",
	}, {
		name: "Docker Hub's rate limit, not retried",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, registrytest.Auth{})
			f := registrytest.DockerHubRateLimit(100, 6*time.Hour, time.Hour)
			f.PathPrefix = "/v2/app/manifests/"
			inject(t, reg, f)
			t.Cleanup(func() {
				assert.Equal(t, 1, reg.Count("", "/v2/app/manifests/"), "one HEAD, no retry, no GET")
			})
			return reg.Ref("app", "v1"), opts, nil
		},
		want: registry.KindRateLimited,
		check: func(t *testing.T, res registry.ProbeResult) {
			require.NotNil(t, res.RateLimit)
			assert.Equal(t, 100, res.RateLimit.Limit)
			assert.Equal(t, 0, res.RateLimit.Remaining)
			assert.Equal(t, 6*time.Hour, res.RateLimit.Window)
			assert.Equal(t, time.Hour, res.RateLimit.RetryAfter)
			assert.WithinDuration(t, time.Now().Add(time.Hour), res.RateLimit.Reset, 5*time.Minute)
		},
		text: "too many requests; limit 100 per 6h0m0s, 0 remaining; resets in 1h0m0s: 429 Too Many Requests",
	}, {
		name: "server error",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, registrytest.Auth{})
			inject(t, reg, registrytest.Fault{PathPrefix: "/v2/app/manifests/", Status: http.StatusServiceUnavailable})
			return reg.Ref("app", "v1"), opts, nil
		},
		want: registry.KindUnavailable,
		text: "failed: 503 UNAVAILABLE",
	}, {
		name: "private CA not trusted",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg := registrytest.New(t, registrytest.Options{TLS: &registrytest.TLS{}})
			push(t, reg, "app:v1")
			return reg.Ref("app", "v1"), &registry.Options{AttemptTimeout: 2 * time.Second}, nil
		},
		want: registry.KindTLSUnknownAuthority,
		text: "signed by an unknown authority: tls: failed to verify certificate: x509: certificate signed by unknown authority",
	}, {
		name: "private CA trusted",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg := registrytest.New(t, registrytest.Options{TLS: &registrytest.TLS{}})
			push(t, reg, "app:v1")
			return reg.Ref("app", "v1"), &registry.Options{RootCAs: reg.CertPool()}, nil
		},
		want: registry.KindFound,
	}, {
		name: "certificate for another name",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg := registrytest.New(t, registrytest.Options{TLS: &registrytest.TLS{Names: []string{"registry.example"}}})
			push(t, reg, "app:v1")
			return reg.Ref("app", "v1"), &registry.Options{RootCAs: reg.CertPool()}, nil
		},
		want: registry.KindTLSWrongName,
		text: "not valid for that name: tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
	}, {
		name: "certificate for another address",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg := registrytest.New(t, registrytest.Options{TLS: &registrytest.TLS{Names: []string{"127.0.0.2", "localhost"}}})
			push(t, reg, "app:v1")
			return reg.Ref("app", "v1"), &registry.Options{RootCAs: reg.CertPool()}, nil
		},
		want: registry.KindTLSWrongName,
		text: "x509: certificate is valid for 127.0.0.2, not 127.0.0.1",
	}, {
		name: "HTTPS to a plain HTTP registry",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, _ := plainReg(t, registrytest.Auth{})
			return reg.Ref("app", "v1"), &registry.Options{}, nil
		},
		want: registry.KindPlainHTTPServer,
		text: "answered HTTPS in plain HTTP: it serves HTTP only: http: server gave HTTP response to HTTPS client",
	}, {
		name: "plain HTTP to an HTTPS registry",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg := registrytest.New(t, registrytest.Options{TLS: &registrytest.TLS{}})
			push(t, reg, "app:v1")
			return reg.Ref("app", "v1"), &registry.Options{PlainHTTP: []string{reg.Host()}}, nil
		},
		want: registry.KindHTTPSRequired,
		text: "refused plain HTTP: it serves HTTPS: 400 Bad Request",
	}, {
		name: "registry down",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, registrytest.Auth{})
			reg.Stop()
			return reg.Ref("app", "v1"), opts, nil
		},
		want: registry.KindConnectionRefused,
		text: "refused the connection: the registry is down or the port is wrong: dial tcp 127.0.0.1:",
	}, {
		name: "no answer in time",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, registrytest.Auth{})
			inject(t, reg, registrytest.Fault{PathPrefix: "/v2/app/manifests/", Delay: time.Minute})
			opts.Timeout = 200 * time.Millisecond
			return reg.Ref("app", "v1"), opts, nil
		},
		want: registry.KindTimeout,
		text: "did not answer in time",
	}, {
		name: "name that does not resolve",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			return "registry.invalid/app:v1", &registry.Options{AttemptTimeout: 2 * time.Second, Timeout: 5 * time.Second}, nil
		},
		want: registry.KindDNS,
		text: "the name of registry.invalid cannot be resolved: lookup registry.invalid: no such host",
	}, {
		name: "an auth field that does not decode",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, basic)
			t.Cleanup(func() { assert.Zero(t, reg.Count("", "/v2/"), "nothing sent") })
			return reg.Ref("app", "v1"), opts, &credential.Credential{Auth: "%%%"}
		},
		want: registry.KindBadCredential,
		text: "auth cannot be used: its auth field is not base64(user:password)",
	}, {
		name: "a registry that echoes the credentials has them masked",
		setup: func(t *testing.T) (string, *registry.Options, *credential.Credential) {
			reg, opts := plainReg(t, basic)
			inject(t, reg, registrytest.Fault{PathPrefix: "/v2/app/manifests/", Status: http.StatusForbidden, Echo: true})
			return reg.Ref("app", "v1"), opts, secretCred("alice", probeSecret)
		},
		want: registry.KindDenied,
		check: func(t *testing.T, res registry.ProbeResult) {
			assert.Contains(t, res.Detail, "[redacted]")
		},
		text: "you sent Authorization: Basic [redacted]",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img, opts, cred := tc.setup(t)
			r := newResolver(t, opts)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			res := r.Probe(ctx, reference.MustParse(img), cred)
			require.Equal(t, tc.want, res.Kind, "%s; err: %v", res.Text(), res.Err)
			assert.Equal(t, reference.MustParse(img).String(), res.Image)
			if tc.check != nil {
				tc.check(t, res)
			}
			text := res.Text()
			t.Log(text)
			assert.True(t, strings.HasPrefix(text, tc.want.String()+": "), text)
			assert.Contains(t, text, tc.text)
			assert.NotContains(t, text, "\n")
			js, err := json.Marshal(res)
			require.NoError(t, err)
			for _, out := range []string{text, string(js), errText(res.Err)} {
				assert.NotContains(t, out, probeSecret)
				assert.NotContains(t, out, "YWxpY2U6czNjcmV0LVBhNTV3b3Jk") // base64 of alice:<secret>
			}
		})
	}
}

func inject(t *testing.T, reg *registrytest.Registry, f registrytest.Fault) {
	t.Helper()
	_, err := reg.Inject(f)
	require.NoError(t, err)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestProbeTagsAreBounded(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	d := push(t, reg, "app:v0")
	for i := range registry.MaxProbeTags + 5 {
		require.NoError(t, reg.Tag(t.Context(), fmt.Sprintf("app:t%03d", i), d))
	}
	r := newResolver(t, fastOptions(reg))
	res := r.Probe(t.Context(), ref(reg, "app", "v2"), nil)
	require.Equal(t, registry.KindNotFound, res.Kind, res.Text())
	assert.Len(t, res.Tags, registry.MaxProbeTags)
	assert.True(t, res.TagsTruncated)
	assert.Equal(t, "t000", res.Tags[0])
	assert.True(t, strings.HasSuffix(res.Text(), ", …)"), res.Text())
}

func TestProbeRateLimitHeadersOnSuccess(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	push(t, reg, "app:v1")
	inject(t, reg, registrytest.Fault{PathPrefix: "/v2/app/manifests/", Header: http.Header{
		"Ratelimit-Limit": {"100;w=21600"}, "Ratelimit-Remaining": {"76;w=21600"},
	}})
	r := newResolver(t, fastOptions(reg))
	res := r.Probe(t.Context(), ref(reg, "app", "v1"), nil)
	require.Equal(t, registry.KindFound, res.Kind, res.Text())
	require.NotNil(t, res.RateLimit)
	assert.Equal(t, registry.RateLimit{Limit: 100, Remaining: 76, Window: 6 * time.Hour}, *res.RateLimit)
}

func TestKindNames(t *testing.T) {
	seen := map[string]bool{}
	for k := registry.KindError; k <= registry.KindBadCredential; k++ {
		name := k.String()
		assert.False(t, seen[name], "duplicate name %s", name)
		assert.NotContains(t, name, "Kind(")
		seen[name] = true
		b, err := k.MarshalText()
		require.NoError(t, err)
		var back registry.Kind
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, k, back)
	}
	assert.Equal(t, "Kind(99)", registry.Kind(99).String())
	var k registry.Kind
	assert.Error(t, k.UnmarshalText([]byte("Nope")))
	// The names are part of doctor's JSON: pin them.
	assert.Equal(t, "NotFound", registry.KindNotFound.String())
	assert.Equal(t, "TLSUnknownAuthority", registry.KindTLSUnknownAuthority.String())
	assert.Equal(t, "ConnectionRefused", registry.KindConnectionRefused.String())
}

func TestRootCAsCannotBeCombinedWithTransport(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{TLS: &registrytest.TLS{}})
	_, err := registry.NewResolver(&registry.Options{RootCAs: reg.CertPool(), Transport: http.DefaultTransport})
	require.ErrorIs(t, err, registry.ErrInvalidOptions)
}
