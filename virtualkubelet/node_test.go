package virtualkubelet

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/imagepull/imagepull/pullpolicy"
)

// listerFunc adapts a function to kubelet.ImageLister.
type listerFunc func(ctx context.Context) ([]pullpolicy.LocalImage, error)

func (f listerFunc) ListImages(ctx context.Context) ([]pullpolicy.LocalImage, error) { return f(ctx) }

// The node reports its images as the kubelet does (largest first, at most MaxImages, digests
// then tags), lists them again every interval, reports only a change, and keeps the last list
// when a listing fails.
func TestNodeProviderImages(t *testing.T) {
	var mu sync.Mutex
	images := []pullpolicy.LocalImage{
		{ID: "sha256:a", RepoTags: []string{"r/a:1"}, RepoDigests: []string{"r/a@sha256:1"}, Size: 10},
		{ID: "sha256:b", RepoTags: []string{"r/b:1"}, Size: 30},
		{ID: "sha256:c", RepoTags: []string{"r/c:1"}, Size: 20},
	}
	var listErr error
	lister := listerFunc(func(context.Context) ([]pullpolicy.LocalImage, error) {
		mu.Lock()
		defer mu.Unlock()
		return images, listErr
	})
	clk := testingclock.NewFakeClock(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	np := NewNodeProvider(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "vk"}}, lister, &NodeOptions{MaxImages: 2, Clock: clk})
	reports := make(chan *corev1.Node, 10)
	np.NotifyNodeStatus(t.Context(), func(n *corev1.Node) { reports <- n })
	next := func() []string {
		n := <-reports
		var out []string
		for _, im := range n.Status.Images {
			out = append(out, fmt.Sprint(im.Names, im.SizeBytes))
		}
		return out
	}
	step := func() {
		for !clk.HasWaiters() {
			require.NoError(t, t.Context().Err())
			runtime.Gosched()
		}
		clk.Step(NodeStatusInterval)
	}
	assert.Equal(t, []string{"[r/b:1] 30", "[r/c:1] 20"}, next())

	mu.Lock()
	images = append(images, pullpolicy.LocalImage{ID: "sha256:d", RepoTags: []string{"r/d:1"}, Size: 40})
	mu.Unlock()
	step()
	assert.Equal(t, []string{"[r/d:1] 40", "[r/b:1] 30"}, next())

	mu.Lock()
	listErr = errors.New("runtime down")
	mu.Unlock()
	step() // a failed listing: nothing reported, the last list kept
	step()
	assert.Empty(t, reports)
	assert.Len(t, np.Node().Status.Images, 2)
}
