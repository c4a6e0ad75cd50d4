package apiservere2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// TestDoctorScenarioTextsAreContainerds pulls, through the real containerd's CRI (as the
// kubelet's CRI client does, package cri), the images of the doctor scenarios whose pod
// messages carry the runtime's error, and checks that the error is the text the scenarios
// write into the pods (crierrNotFound, crierrStatus, crierrTokenRefused, crierrRequest): the
// waiting messages and events doctor is shown are the ones a node would report.
func TestDoctorScenarioTextsAreContainerds(t *testing.T) {
	ctx, c := containerd(t)
	bearer := registrytest.Auth{Scheme: registrytest.AuthBearer, Username: regUser, Password: regPassword}
	tests := []struct {
		name  string
		auth  registrytest.Auth
		setup func(t *testing.T, reg *registrytest.Registry)
		repo  string // pulled as HOST/repo:v1 (the tag v2 for the wrong tag)
		creds []credential.Credential
		want  func(image, host string) string
	}{{
		name: "wrong tag", repo: "web:v2",
		want: func(image, _ string) string { return crierrNotFound(image) },
	}, {
		name: "no credentials for a Basic registry", auth: basicAuth, repo: "private/api:v1",
		want: func(image, host string) string { return crierrStatus(image, host, "v1", "401 Unauthorized") },
	}, {
		name: "expired password at the token service", auth: bearer, repo: "private/api:v1",
		creds: []credential.Credential{{Username: regUser, Password: regOldPassword}},
		want:  func(image, _ string) string { return crierrTokenRefused(image) },
	}, {
		name: "rate limit", repo: "library/nginx:1.27",
		setup: func(t *testing.T, reg *registrytest.Registry) {
			_, err := reg.Inject(registrytest.DockerHubRateLimit(100, 6*time.Hour, 90*time.Minute))
			require.NoError(t, err)
		},
		want: func(image, host string) string { return crierrStatus(image, host, "1.27", "429 Too Many Requests") },
	}, {
		name: "registry down", repo: "app:v1",
		setup: func(t *testing.T, reg *registrytest.Registry) { reg.Stop() },
		want: func(image, host string) string {
			return crierrRequest(image, "http://"+host+"/v2/app/manifests/v1", "dial tcp "+host+": connect: connection refused")
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := registrytest.New(t, registrytest.Options{Auth: tc.auth})
			removeImagesOf(t, c, reg.Host())
			for _, tag := range []string{"web:v1", "private/api:v1", "library/nginx:1.27", "app:v1"} {
				_, err := reg.PushRandom(ctx, tag)
				require.NoError(t, err)
			}
			if tc.setup != nil {
				tc.setup(t, reg)
			}
			image := reg.Host() + "/" + tc.repo
			_, err := c.PullImage(ctx, kubelet.PullRequest{Image: image, Credentials: tc.creds})
			require.Error(t, err)
			assert.Equal(t, tc.want(image, reg.Host()), err.Error())
		})
	}
}
