package kubelet_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxMessage is the documented bound on a message or event the image manager keeps or emits
// (README, "Bounded memory").
const maxMessage = 32 << 10

// TestEnsureImageBoundsHugeImageName: a 10 MB image name is repeated in the message and the
// event cut to a bounded size, with a marker saying how much was cut; a sane one keeps the
// kubelet's exact text (TestEnsureImageOutcomes).
func TestEnsureImageBoundsHugeImageName(t *testing.T) {
	rt := newRuntime()
	m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt})
	require.NoError(t, err)
	for name, image := range map[string]string{
		"invalid":          strings.Repeat("A", 10<<20),
		"valid but absent": "registry.example/" + strings.Repeat("a", 10<<20) + ":v1",
	} {
		t.Run(name, func(t *testing.T) {
			res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: name}, Image: image})
			require.Error(t, err)
			var ee *kubelet.EnsureError
			require.ErrorAs(t, err, &ee)
			assert.LessOrEqual(t, len(res.Message), maxMessage)
			assert.LessOrEqual(t, len(ee.Message), maxMessage)
			assert.Contains(t, res.Message, "bytes cut]")
			for _, e := range res.Events {
				assert.LessOrEqual(t, len(e.Message), maxMessage)
			}
		})
	}
}

// TestEnsureImageBoundsHugePullError: a runtime error of 9 MB (a hostile registry's text
// relayed by the runtime) is kept cut in the message, the events and the back-off entry that
// the next attempt repeats.
func TestEnsureImageBoundsHugePullError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		huge := errors.New("rpc error: code = Unknown desc = failed to authorize: " + strings.Repeat("r", 9<<20))
		rt := newRuntime()
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: kubelet.PullerFunc(func(context.Context, kubelet.PullRequest) (kubelet.PullResult, error) {
			return kubelet.PullResult{}, huge
		})})
		require.NoError(t, err)
		req := kubelet.Request{Pod: kubelet.Pod{UID: "p"}, Image: "missing_image"}
		res, err := m.EnsureImageExists(t.Context(), req)
		require.ErrorIs(t, err, pullpolicy.ErrImagePull)
		assert.LessOrEqual(t, len(res.Message), maxMessage)
		assert.Contains(t, res.Message, "bytes cut]")
		for _, e := range res.Events {
			assert.LessOrEqual(t, len(e.Message), maxMessage)
		}
		time.Sleep(time.Second)
		res, err = m.EnsureImageExists(t.Context(), req)
		require.ErrorIs(t, err, pullpolicy.ErrImagePullBackOff)
		assert.LessOrEqual(t, len(res.Message), maxMessage, "the back-off entry keeps the cut text")
		assert.Contains(t, res.Message, "bytes cut]")
	})
}
