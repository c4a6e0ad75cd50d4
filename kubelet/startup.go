package kubelet

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/imagepull/imagepull/pullpolicy"
)

// ImageLister lists the node's images, as the CRI's ListImages does. When the [Config]'s
// Store is also an ImageLister (cri.Client and cache.Store are), the image manager recovers
// from a restart by itself; see [ImageManager.EnsureImageExists].
type ImageLister interface {
	ListImages(ctx context.Context) ([]pullpolicy.LocalImage, error)
}

// startup runs the kubelet's startup work on the pull records once, before the first call
// that needs them: intents left by an interrupted run become records of the images the
// runtime holds (pullmanager.Manager.Initialize), and records of images no longer on the node
// are pruned, as the kubelet's first image garbage collection after a start does.
type startup struct {
	mu   sync.Mutex
	done atomic.Bool
}

// run does the startup work unless it is done. A cancelled ctx leaves it for the next call;
// other failures are logged, and the records stay as they are: an unrecovered intent still
// makes its image count as pulled by the kubelet, so that every pod must verify its access.
func (s *startup) run(ctx context.Context, m *ImageManager) {
	if s.done.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done.Load() {
		return
	}
	lister, ok := m.store.(ImageLister)
	if !ok {
		s.done.Store(true)
		return
	}
	started := m.now()
	images, err := lister.ListImages(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Error("failed to list images for the startup recovery of image pull records", "err", err)
			s.done.Store(true)
		}
		return
	}
	if err := m.verify.Initialize(ctx, images); err != nil {
		if ctx.Err() != nil {
			return
		}
		m.log.Error("startup recovery of image pull intents failed", "err", err)
	}
	refs := make([]string, len(images))
	for i, img := range images {
		refs[i] = img.ID
	}
	m.verify.PruneUnknownRecords(refs, started)
	s.done.Store(true)
}
