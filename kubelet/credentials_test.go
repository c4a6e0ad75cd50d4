package kubelet_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
)

// TestCredentialProvider checks what a credential provider is asked, that its credentials
// come after the pod's Secrets, and that its failure is logged and the pull goes on without
// it, as the kubelet does with a failing plugin.
func TestCredentialProvider(t *testing.T) {
	fromPlugin := credential.Credential{Username: "plugin", Password: "tok"}
	cases := []struct {
		name      string
		creds     []credential.Credential
		err       error
		wantCreds []string // user names the runtime got, in order
		wantLog   string
	}{
		{"credentials-appended", []credential.Credential{fromPlugin}, nil, []string{"plugin"}, ""},
		{"failure-logged-and-skipped", nil, errors.New("plugin exited 1"), nil, "plugin exited 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var asked []credential.ProviderRequest
			var logs bytes.Buffer
			rt := kubelettest.NewRuntime()
			m, err := kubelet.NewImageManager(kubelet.Config{
				Store: rt, Puller: rt, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				CredentialProvider: credential.ProviderFunc(func(_ context.Context, req credential.ProviderRequest) ([]credential.Credential, error) {
					asked = append(asked, req)
					return tc.creds, tc.err
				}),
			})
			require.NoError(t, err)
			pod := kubelet.Pod{Namespace: "ns", Name: "web", UID: "u1", ServiceAccount: "builder", Annotations: map[string]string{"a": "b"}}
			_, err = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: pod, Image: "ecr.example/team/app:v1"})
			require.NoError(t, err)
			require.Len(t, asked, 1)
			assert.Equal(t, credential.ProviderRequest{Image: "ecr.example/team/app:v1", Repository: "ecr.example/team/app",
				Pod: credential.Pod{Namespace: "ns", Name: "web", UID: "u1", ServiceAccount: "builder", Annotations: map[string]string{"a": "b"}}}, asked[0])
			pulls := rt.Pulls()
			require.Len(t, pulls, 1)
			var users []string
			for _, c := range pulls[0].Credentials {
				users = append(users, c.Username)
			}
			assert.Equal(t, tc.wantCreds, users)
			if tc.wantLog != "" {
				assert.Contains(t, logs.String(), tc.wantLog)
			}
		})
	}
}
