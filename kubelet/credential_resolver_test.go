package kubelet_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// WithCredentials hands Decide a resolver bound to a pod's credentials: Decide's Resolve
// becomes ResolveWithCredentials with exactly those credentials.
func TestWithCredentials(t *testing.T) {
	private := remoteImage{id: "sha256:app", digest: dg("c"), size: 1, user: "alice", password: "pw"}
	alice := []credential.Credential{{Username: "alice", Password: "pw"}}
	tests := []struct {
		name   string
		creds  []credential.Credential
		action pullpolicy.Action
		err    error
	}{
		{"the pod's credentials resolve the private image", alice, pullpolicy.Pull, nil},
		{"no credentials: unauthorized", nil, pullpolicy.Fail, pullpolicy.ErrImagePull},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime()
			rt.serve("registry.example/app:v1", private)
			res := &credResolver{fakeRuntime: rt}
			img := reference.MustParse("registry.example/app:v1")
			d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, img, cache.NewStore(), kubelet.WithCredentials(res, tc.creds))
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, img.WithDigest(private.digest), d.PullRef)
			}
			assert.Equal(t, tc.action, d.Action)
			require.Len(t, res.seen, 1)
			assert.Equal(t, tc.creds, res.seen[0])
		})
	}
}

var _ kubelet.CredentialResolver = (*credResolver)(nil)
