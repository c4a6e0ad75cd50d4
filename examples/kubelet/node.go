package main

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// fakeNodeArch is the architecture of the stand-in node, fixed so that the images, and so the
// program's output, are the same on every machine.
const fakeNodeArch = "amd64"

// node is what the Manager runs on: the local image store, the container runtime that pulls
// into it, and the clock.
type node struct {
	store  pullpolicy.Store
	puller kubelet.Puller
	clock  *clock
	arch   string       // the platform's architecture the images are built for
	close  func() error // releases the runtime (and, with -cri, removes the scenario's images)
}

// newNode returns the stand-in node, or with opts.socket a node whose runtime is the CRI
// runtime on that socket.
func newNode(ctx context.Context, reg *registrytest.Registry, opts options) (*node, error) {
	start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	if opts.socket == "" {
		clk := &clock{t: start}
		store := cache.NewStore()
		rt, err := newFakeRuntime(store, clk)
		if err != nil {
			return nil, err
		}
		return &node{store: store, puller: rt, clock: clk, arch: opts.arch, close: rt.close}, nil
	}
	c, err := cri.Dial(ctx, opts.socket, nil)
	if err != nil {
		return nil, err
	}
	closeRuntime := func() error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		return errors.Join(removeImagesOf(ctx, c, reg.Host()), c.Close())
	}
	// Pulls take real time; the scenario's pauses are added on top instead of waited for.
	clk := &clock{t: start, realStart: time.Now()}
	return &node{store: c, puller: c, clock: clk, arch: runtime.GOARCH, close: closeRuntime}, nil
}

// removeImagesOf removes from the runtime every image with a name on host.
func removeImagesOf(ctx context.Context, c *cri.Client, host string) error {
	imgs, err := c.ListImages(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, img := range imgs {
		for _, name := range append(img.RepoTags, img.RepoDigests...) {
			if strings.HasPrefix(name, host+"/") {
				errs = append(errs, c.RemoveImage(ctx, img.ID))
				break
			}
		}
	}
	return errors.Join(errs...)
}

// clock is the program's clock. The scenario moves it forward between container starts; the
// stand-in runtime moves it by a fixed pull time, so that the output does not depend on the
// machine. With a real runtime, the real time elapsed since realStart is added.
type clock struct {
	mu        sync.Mutex // protects t
	t         time.Time
	realStart time.Time // zero: no real time is added
}

// Now returns the current time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.realStart.IsZero() {
		return c.t
	}
	return c.t.Add(time.Since(c.realStart))
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
