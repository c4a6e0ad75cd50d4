package kubelet_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

// clock is a fake clock that a fake runtime moves forward, so that durations are stable.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// A kubelet-like program makes a container's image ready with EnsureImageExists and reports the
// events and the waiting reason exactly as the kubelet does: a fresh pull, the image found
// present on the next start, a failing image, and the back-off that follows.
func ExampleImageManager_EnsureImageExists() {
	store := cache.NewStore()
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	runtime := kubelet.PullerFunc(func(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
		clk.advance(1234 * time.Millisecond) // the pull takes 1.234 s
		if req.Image != "nginx:1.25" {
			return kubelet.PullResult{}, errors.New("rpc error: code = NotFound desc = " + req.Image + ": not found")
		}
		img := pullpolicy.LocalImage{ID: "sha256:4f0a", RepoTags: []string{req.Image}, Size: 67_108_864}
		if err := store.Add(img); err != nil {
			return kubelet.PullResult{}, err
		}
		return kubelet.PullResult{ImageRef: img.ID, Size: img.Size}, nil
	})
	m, err := kubelet.NewImageManager(kubelet.Config{Store: store, Puller: runtime, Now: clk.Now})
	if err != nil {
		fmt.Println(err)
		return
	}
	pod := kubelet.Pod{Namespace: "default", Name: "web", UID: "7c1e"}
	for _, image := range []string{"nginx:1.25", "nginx:1.25", "nginx:typo", "nginx:typo"} {
		res, err := m.EnsureImageExists(context.Background(), kubelet.Request{Pod: pod, Image: image})
		for _, e := range res.Events {
			fmt.Println(e)
		}
		var waiting *kubelet.EnsureError
		if errors.As(err, &waiting) {
			fmt.Printf("  waiting: %s (%s)\n", waiting.WaitingReason(), res.Message)
			continue
		}
		fmt.Printf("  start %s\n", res.ImageRef)
	}
	// Output:
	// Normal Pulling Pulling image "nginx:1.25"
	// Normal Pulled Successfully pulled image "nginx:1.25" in 1.234s (1.234s including waiting). Image size: 67108864 bytes.
	//   start sha256:4f0a
	// Normal Pulled Container image "nginx:1.25" already present on machine and can be accessed by the pod
	//   start sha256:4f0a
	// Normal Pulling Pulling image "nginx:typo"
	// Warning Failed Failed to pull image "nginx:typo": rpc error: code = NotFound desc = nginx:typo: not found
	//   waiting: ErrImagePull (rpc error: code = NotFound desc = nginx:typo: not found)
	// Normal BackOff Back-off pulling image "nginx:typo"
	//   waiting: ImagePullBackOff (Back-off pulling image "nginx:typo": ErrImagePull: rpc error: code = NotFound desc = nginx:typo: not found)
}

// NewManager checks the configuration as the kubelet checks its KubeletConfiguration.
func ExampleNewImageManager() {
	store := cache.NewStore()
	runtime := kubelet.PullerFunc(func(context.Context, kubelet.PullRequest) (kubelet.PullResult, error) {
		return kubelet.PullResult{}, errors.New("unused")
	})
	three := int32(3)
	_, err := kubelet.NewImageManager(kubelet.Config{Store: store, Puller: runtime, SerializeImagePulls: new(true), MaxParallelImagePulls: &three})
	fmt.Println(err)
	// Output:
	// invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false
}
