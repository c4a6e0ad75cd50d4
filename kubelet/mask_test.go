package kubelet_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echo is what a careless registry answers, as the runtime (or a resolver) repeats it: every
// credential it was sent, the Authorization header of each, and the error's kind prefix.
func echo(prefix string, creds []credential.Credential) error {
	var b strings.Builder
	b.WriteString(prefix + "failed to pull and unpack image: 403 Forbidden: denied:")
	for _, c := range creds {
		basic := base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password))
		fmt.Fprintf(&b, " Authorization: Basic %s password=%s identity=%s registry=%s;", basic, c.Password, c.IdentityToken, c.RegistryToken)
	}
	return errors.New(b.String())
}

// echoResolver is a CredentialResolver whose registry echoes the credentials.
type echoResolver struct{ prefix string }

func (r echoResolver) Resolve(ctx context.Context, img reference.Image) (digest.Digest, error) {
	return r.ResolveWithCredentials(ctx, img, nil)
}

func (r echoResolver) ResolveWithCredentials(_ context.Context, _ reference.Image, creds []credential.Credential) (digest.Digest, error) {
	if r.prefix != "" {
		return "", fmt.Errorf("%w%w", pullpolicy.ErrRegistryUnavailable, echo(": ", creds))
	}
	return "", echo("", creds)
}

// TestEnsureImageMasksEchoedCredentials (issue 18, item 6): a runtime (or a resolver) whose
// error repeats what the registry echoed of the credentials sent (the password, the base64
// "user:password", the tokens) does not put them into the Failed event, the waiting message,
// the EnsureError or the logs, for a pod's Secret, the node's docker config and a credential
// provider's answer; the error keeps its classification (RegistryUnavailable).
func TestEnsureImageMasksEchoedCredentials(t *testing.T) {
	const pw = "p4ss-w0rd-from-secret"
	provider := credential.ProviderFunc(func(context.Context, credential.ProviderRequest) ([]credential.Credential, error) {
		return []credential.Credential{{Username: "AWS", Password: "plugin-password-xyz", IdentityToken: "identity-token-abc", RegistryToken: "registry-token-def"}}, nil
	})
	secrets := []string{
		pw, base64.StdEncoding.EncodeToString([]byte("alice:" + pw)),
		"node-password-123", base64.StdEncoding.EncodeToString([]byte("bob:node-password-123")),
		"plugin-password-xyz", base64.StdEncoding.EncodeToString([]byte("AWS:plugin-password-xyz")),
		"identity-token-abc", "registry-token-def",
	}
	node, err := credential.FromDockerConfigJSON([]byte(`{"auths":{"registry.example":{"username":"bob","password":"node-password-123"}}}`), credential.Source{})
	require.NoError(t, err)
	for _, tc := range []struct {
		name        string
		prefix      string // "RegistryUnavailable" for an unreachable registry's error
		resolver    bool   // the error comes from a CredentialResolver, under Always
		wantReason  error
		wantInEvent string
	}{
		{"runtime", "", false, pullpolicy.ErrImagePull, "Authorization: Basic [redacted] password=[redacted]"},
		{"runtime, registry unavailable", "RegistryUnavailable: ", false, pullpolicy.ErrRegistryUnavailable, "password=[redacted]"},
		{"resolver", "", true, pullpolicy.ErrImagePull, "password=[redacted]"},
		{"resolver, registry unavailable", "RegistryUnavailable", true, pullpolicy.ErrRegistryUnavailable, "password=[redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &bytes.Buffer{}
			rec := &recorder{}
			cfg := kubelet.Config{
				Store:              newFakeRuntime(),
				Keyring:            node,
				CredentialProvider: provider,
				Recorder:           rec,
				Logger:             slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				Puller: kubelet.PullerFunc(func(_ context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
					return kubelet.PullResult{}, echo(tc.prefix, req.Credentials)
				}),
			}
			req := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", Name: "p", UID: "u"}, Image: "registry.example/team/app:v1",
				PullSecrets: []credential.Secret{dockerSecret("ns", "regcred", "uid", "registry.example", "alice", pw)}}
			if tc.resolver {
				cfg.Resolver = echoResolver{prefix: tc.prefix}
				req.Policy = pullpolicy.Always
			}
			m, err := kubelet.NewImageManager(cfg)
			require.NoError(t, err)
			res, err := m.EnsureImageExists(t.Context(), req)
			require.ErrorIs(t, err, tc.wantReason)
			var ee *kubelet.EnsureError
			require.ErrorAs(t, err, &ee)

			var failed string
			for _, e := range res.Events {
				if e.Reason == pullpolicy.ReasonFailed {
					failed = e.Message
				}
			}
			require.NotEmpty(t, failed, "a Failed event: %+v", res.Events)
			assert.Contains(t, failed, tc.wantInEvent, "the registry's echo is kept, masked")
			outputs := map[string]string{
				"the Failed event":     failed,
				"the waiting message":  res.Message,
				"the error":            err.Error(),
				"the error's cause":    ee.Err.Error(),
				"the recorder":         fmt.Sprint(rec.events),
				"the logs":             logs.String(),
				"the EnsureError text": ee.Message,
			}
			for channel, text := range outputs {
				for _, s := range secrets {
					assert.NotContains(t, text, s, "%s leaks a credential", channel)
				}
			}
		})
	}
}
