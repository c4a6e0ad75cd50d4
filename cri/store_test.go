package cri_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

const someDigest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// TestLookupRequest: the image string sent is the kubelet's tag-defaulted original.
func TestLookupRequest(t *testing.T) {
	tests := []struct {
		image string
		sent  string
	}{
		{"nginx", "nginx:latest"},
		{"nginx:1.25", "nginx:1.25"},
		{"docker.io/library/nginx", "docker.io/library/nginx:latest"},
		{"registry:5000/latest", "registry:5000/latest:latest"},
		{"localhost:5000", "localhost:5000"},
		{"nginx@" + someDigest, "nginx@" + someDigest},
		{"nginx:1.25@" + someDigest, "nginx:1.25@" + someDigest},
	}
	rt := newScriptedRuntime(t, true)
	c := rt.dial(t)
	for i, tc := range tests {
		t.Run(tc.image, func(t *testing.T) {
			img, ok, err := c.Lookup(t.Context(), reference.MustParse(tc.image))
			require.NoError(t, err)
			assert.False(t, ok, "no image in the response is absent")
			assert.Zero(t, img)
			got := rt.statusRequests()
			require.Len(t, got, i+1)
			assert.Equal(t, tc.sent, got[i].GetImage().GetImage())
		})
	}
}

func TestLookupOutcomes(t *testing.T) {
	full := &runtimeapi.Image{Id: "sha256:1", RepoTags: []string{"docker.io/library/nginx:latest"},
		RepoDigests: []string{"docker.io/library/nginx@" + someDigest}, Size: 42}
	tests := []struct {
		name    string
		status  result
		want    pullpolicy.LocalImage
		wantOK  bool
		wantErr string
	}{
		{name: "present", status: result{image: full}, wantOK: true, want: pullpolicy.LocalImage{
			ID: "sha256:1", RepoTags: full.RepoTags, RepoDigests: full.RepoDigests, Size: 42}},
		{name: "absent", status: result{}},
		{name: "no size", status: result{image: &runtimeapi.Image{Id: "sha256:1"}},
			wantErr: `Id or size of image "nginx:latest" is not set`},
		{name: "no id", status: result{image: &runtimeapi.Image{Size: 1}},
			wantErr: `Id or size of image "nginx:latest" is not set`},
		{name: "runtime error keeps the status text", status: result{err: status.Error(codes.Unknown, "boom")},
			wantErr: "rpc error: code = Unknown desc = boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newScriptedRuntime(t, true)
			c := rt.dial(t)
			rt.script(tc.status)
			img, ok, err := c.Lookup(t.Context(), reference.MustParse("nginx"))
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				assert.False(t, ok)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.want, img)
		})
	}
	t.Run("invalid image", func(t *testing.T) {
		rt := newScriptedRuntime(t, true)
		c := rt.dial(t)
		_, _, err := c.Lookup(t.Context(), reference.Image{})
		require.EqualError(t, err, "cri: invalid image reference")
		assert.Empty(t, rt.statusRequests())
	})
}

// TestLookupInspectError: a runtime error reaches Decide as the kubelet's inspect failure.
func TestLookupInspectError(t *testing.T) {
	rt := newScriptedRuntime(t, true)
	c := rt.dial(t)
	rt.script(result{err: status.Error(codes.Unavailable, "down")})
	d, err := pullpolicy.Decide(t.Context(), pullpolicy.IfNotPresent, reference.MustParse("nginx"), c, nil)
	require.ErrorIs(t, err, pullpolicy.ErrImageInspect)
	assert.Equal(t, `Failed to inspect image "": rpc error: code = Unavailable desc = down`, d.Message)
}
