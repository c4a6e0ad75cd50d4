package cri_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

var errUnscripted = status.Error(codes.Internal, "unscripted PullImage call")

// TestPullRequest checks what goes over the wire: the image string as given, the pod's
// annotations and runtime handler, the sandbox metadata, and each credential's auth fields,
// one attempt per credential, in order.
func TestPullRequest(t *testing.T) {
	rt := newScriptedRuntime(t, true)
	c := rt.dial(t)
	present := result{image: &runtimeapi.Image{Id: "sha256:abc", Size: 1234}}
	rt.script(present,
		result{err: status.Error(codes.Unknown, "unauthorized")},
		result{ref: "sha256:abc"})

	creds := []credential.Credential{
		{Username: "u1", Password: "p1", ServerAddress: "https://r.example", Hash: "h1"},
		{Auth: "dTI6cDI=", IdentityToken: "id", RegistryToken: "rt", Email: "not@sent", Hash: "h2"},
		{Username: "never", Password: "tried", Hash: "h3"},
	}
	req := kubelet.PullRequest{
		Image:          "nginx:latest",
		Credentials:    creds,
		RuntimeHandler: "kata",
		Annotations:    map[string]string{"kubernetes.io/runtimehandler": "kata", "a": "b"},
		Sandbox:        kubelet.Sandbox{Name: "web-0", Namespace: "prod", UID: "uid-1"},
	}
	res, err := c.PullImage(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, kubelet.PullResult{ImageRef: "sha256:abc", Credential: &creds[1], Size: 1234}, res)

	got := rt.pullRequests()
	require.Len(t, got, 2, "the first success ends the attempts")
	wantAuth := []*runtimeapi.AuthConfig{
		{Username: "u1", Password: "p1", ServerAddress: "https://r.example"},
		{Auth: "dTI6cDI=", IdentityToken: "id", RegistryToken: "rt"},
	}
	for i, r := range got {
		assert.Equal(t, "nginx:latest", r.GetImage().GetImage())
		assert.Equal(t, req.Annotations, r.GetImage().GetAnnotations())
		assert.Equal(t, "kata", r.GetImage().GetRuntimeHandler())
		assert.Equal(t, "web-0", r.GetSandboxConfig().GetMetadata().GetName())
		assert.Equal(t, "prod", r.GetSandboxConfig().GetMetadata().GetNamespace())
		assert.Equal(t, "uid-1", r.GetSandboxConfig().GetMetadata().GetUid())
		assert.Equal(t, wantAuth[i].String(), r.GetAuth().String(), "attempt %d", i)
	}
	stat := rt.statusRequests()
	require.Len(t, stat, 1, "one size query after the pull")
	assert.Equal(t, "nginx:latest", stat[0].GetImage().GetImage())
	assert.Equal(t, "kata", stat[0].GetImage().GetRuntimeHandler())
}

// TestPullOutcomes covers the outcomes containerd cannot be made to produce.
func TestPullOutcomes(t *testing.T) {
	one := []credential.Credential{{Username: "a", Hash: "a"}}
	two := []credential.Credential{{Username: "a", Hash: "a"}, {Username: "b", Hash: "b"}}
	unavailable := status.Error(codes.Unknown, "RegistryUnavailable: pinging container registry r.example: connection refused")
	tests := []struct {
		name       string
		creds      []credential.Credential
		pulls      []result
		status     result
		wantRef    string
		wantHash   string // "" for an anonymous success or a failure
		wantSize   int64
		wantErr    string
		wantReason error // the kubelet's classification of wantErr
	}{
		{name: "anonymous", pulls: []result{{ref: "sha256:1"}},
			status: result{image: &runtimeapi.Image{Id: "sha256:1", Size: 7}}, wantRef: "sha256:1", wantSize: 7},
		{name: "size unknown after pull", pulls: []result{{ref: "sha256:1"}},
			status: result{err: status.Error(codes.Internal, "boom")}, wantRef: "sha256:1"},
		{name: "size zero after pull", pulls: []result{{ref: "sha256:1"}},
			status: result{image: &runtimeapi.Image{Id: "sha256:1"}}, wantRef: "sha256:1"},
		{name: "image gone after pull", pulls: []result{{ref: "sha256:1"}}, wantRef: "sha256:1"},
		{name: "empty ref", pulls: []result{{ref: ""}},
			wantErr: `imageRef of image "nginx:latest" is not set`, wantReason: pullpolicy.ErrImagePull},
		{name: "empty ref then next credential", creds: two, pulls: []result{{ref: ""}, {ref: "sha256:2"}},
			wantRef: "sha256:2", wantHash: "b"},
		{name: "registry unavailable", creds: one, pulls: []result{{err: unavailable}},
			wantErr:    "RegistryUnavailable: pinging container registry r.example: connection refused",
			wantReason: pullpolicy.ErrRegistryUnavailable},
		{name: "registry unavailable twice, one text", creds: two, pulls: []result{{err: unavailable}, {err: unavailable}},
			wantErr:    "RegistryUnavailable: pinging container registry r.example: connection refused",
			wantReason: pullpolicy.ErrRegistryUnavailable},
		{name: "signature", pulls: []result{{err: status.Error(codes.Unknown, "SignatureValidationFailed: rejected")}},
			wantErr: "SignatureValidationFailed: rejected", wantReason: pullpolicy.ErrSignatureValidationFailed},
		{name: "two texts defeat the prefix", creds: two,
			pulls:   []result{{err: unavailable}, {err: status.Error(codes.Unknown, "unauthorized")}},
			wantErr: "[RegistryUnavailable: pinging container registry r.example: connection refused, unauthorized]", wantReason: pullpolicy.ErrImagePull},
		{name: "other codes keep the status text", pulls: []result{{err: status.Error(codes.NotFound, "RegistryUnavailable: x")}},
			wantErr: "rpc error: code = NotFound desc = RegistryUnavailable: x", wantReason: pullpolicy.ErrImagePull},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newScriptedRuntime(t, true)
			c := rt.dial(t)
			rt.script(tc.status, tc.pulls...)
			res, err := c.PullImage(t.Context(), kubelet.PullRequest{Image: "nginx:latest", Credentials: tc.creds})
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				assert.Equal(t, tc.wantReason, kubeletReason(err))
				assert.Zero(t, res)
				assert.Len(t, rt.pullRequests(), len(tc.pulls), "every credential is tried, no anonymous fallback")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantRef, res.ImageRef)
			assert.Equal(t, tc.wantSize, res.Size)
			if tc.wantHash == "" {
				assert.Nil(t, res.Credential)
			} else {
				require.NotNil(t, res.Credential)
				assert.Equal(t, tc.wantHash, res.Credential.Hash)
			}
		})
	}
}

func TestPullBadInput(t *testing.T) {
	rt := newScriptedRuntime(t, true)
	c := rt.dial(t)
	_, err := c.PullImage(t.Context(), kubelet.PullRequest{})
	require.EqualError(t, err, "cri: pull image: empty image")
	assert.Empty(t, rt.pullRequests())
}

func TestPullNoSandbox(t *testing.T) {
	rt := newScriptedRuntime(t, true)
	c := rt.dial(t)
	rt.script(result{}, result{ref: "sha256:1"})
	_, err := c.PullImage(t.Context(), kubelet.PullRequest{Image: "nginx:latest"})
	require.NoError(t, err)
	require.Len(t, rt.pullRequests(), 1)
	assert.Nil(t, rt.pullRequests()[0].GetSandboxConfig())
	assert.Nil(t, rt.pullRequests()[0].GetAuth())
}

// TestPullMasksEchoedCredentials (issue 18, item 6): the runtime repeats the registry's error,
// and a registry that echoes the Authorization header, the password or a token would put them
// into the pull's error. Each attempt's credentials are masked, in the text and in the gRPC
// status; the kubelet's classification by prefix still holds.
func TestPullMasksEchoedCredentials(t *testing.T) {
	const pw = "hunter2-password"
	basic := base64.StdEncoding.EncodeToString([]byte("alice:" + pw))
	auth := base64.StdEncoding.EncodeToString([]byte("bob:auth-field-pw"))
	creds := []credential.Credential{
		{Username: "alice", Password: pw},
		{Auth: auth, IdentityToken: "identity-tok", RegistryToken: "registry-tok"},
	}
	secrets := []string{pw, basic, auth, "auth-field-pw", "identity-tok", "registry-tok"}
	for _, tc := range []struct {
		name       string
		code       codes.Code
		prefix     string
		wantReason error
		attempts   int // one text keeps the prefix; two make an aggregate, as in the kubelet
	}{
		{"unknown", codes.Unknown, "", pullpolicy.ErrImagePull, 2},
		{"registry unavailable", codes.Unknown, "RegistryUnavailable: ", pullpolicy.ErrRegistryUnavailable, 1},
		{"another code", codes.PermissionDenied, "", pullpolicy.ErrImagePull, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newScriptedRuntime(t, true)
			c := rt.dial(t)
			echo := func(s string) result {
				return result{err: status.Error(tc.code, tc.prefix+"failed to pull: 403 Forbidden: you sent "+s)}
			}
			rt.script(result{}, echo("Basic "+basic+" password="+pw), echo("Basic "+auth+" identity-tok registry-tok auth-field-pw"))
			_, err := c.PullImage(t.Context(), kubelet.PullRequest{Image: "nginx:latest", Credentials: creds[:tc.attempts]})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "you sent Basic [redacted]")
			assert.Equal(t, tc.wantReason, kubeletReason(err))
			for _, s := range secrets {
				assert.NotContains(t, err.Error(), s)
			}
			var grpcErr interface{ GRPCStatus() *status.Status }
			require.ErrorAs(t, err, &grpcErr, "the gRPC status is kept")
			assert.Equal(t, tc.code, grpcErr.GRPCStatus().Code())
			for _, s := range secrets {
				assert.NotContains(t, grpcErr.GRPCStatus().Message(), s)
			}
		})
	}
}
