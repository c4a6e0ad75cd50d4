package kubelet_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// TestEventFieldPath checks that every event names the container the way the kubelet's object
// reference does, so that an adapter to client-go's recorder can tell init containers from
// regular ones; image volume events are about the pod itself.
func TestEventFieldPath(t *testing.T) {
	cases := []struct {
		kind      kubelet.ContainerKind
		container string
		want      string
	}{
		{kubelet.KindContainer, "app", "spec.containers{app}"},
		{kubelet.KindInitContainer, "init", "spec.initContainers{init}"},
		{kubelet.KindEphemeralContainer, "debug", "spec.ephemeralContainers{debug}"},
		{kubelet.KindImageVolume, "models", ""},
		{kubelet.KindContainer, "", ""},
		{kubelet.ContainerKind(9), "x", ""},
	}
	for _, tc := range cases {
		t.Run(tc.kind.String()+"/"+tc.container, func(t *testing.T) {
			req := kubelet.Request{Pod: kubelet.Pod{UID: "u"}, Container: tc.container, Kind: tc.kind, Image: "nginx:1.25", Policy: pullpolicy.Never}
			assert.Equal(t, tc.want, req.FieldPath())
			var recorded []kubelet.Event
			m, err := kubelet.NewImageManager(kubelet.Config{
				Store:  pullpolicy.StoreFunc(noImages),
				Puller: kubelet.PullerFunc(noPull),
				Recorder: kubelet.EventRecorderFunc(func(_ context.Context, got *kubelet.Request, e kubelet.Event) {
					assert.Equal(t, tc.want, got.FieldPath())
					recorded = append(recorded, e)
				}),
			})
			require.NoError(t, err)
			res, err := m.EnsureImageExists(t.Context(), req)
			require.ErrorIs(t, err, pullpolicy.ErrImageNeverPull)
			require.Len(t, res.Events, 1)
			assert.Equal(t, tc.want, res.Events[0].FieldPath)
			assert.Equal(t, res.Events, recorded)
		})
	}
	assert.Equal(t, "ContainerKind(9)", kubelet.ContainerKind(9).String())
}

func noImages(context.Context, reference.Image) (pullpolicy.LocalImage, bool, error) {
	return pullpolicy.LocalImage{}, false, nil
}

func noPull(context.Context, kubelet.PullRequest) (kubelet.PullResult, error) {
	return kubelet.PullResult{}, errors.New("no pull expected")
}
