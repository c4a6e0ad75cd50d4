package podstatus_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kube/podstatus"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

// A custom kubelet syncs a pod whose private image needs a Secret it lacks, as the kubelet's
// pod worker does: every sync ensures the images of the containers to start, the reason cache
// keeps each failure, and the statuses and events come out as the kubelet writes them. The
// pod worker retries 10 s after a failed sync (plus up to 5 s of jitter, left out here): the
// second sync comes as the first 10 s image back-off ends and pulls again; the third falls
// in the 20 s back-off that follows and shows ImagePullBackOff; by the fourth the Secret is
// there and the pull succeeds.
func ExampleSync() {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	store := cache.NewStore()
	authorized := false
	runtime := kubelet.PullerFunc(func(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
		if !authorized {
			return kubelet.PullResult{}, errors.New("failed to pull and unpack image \"registry.example/team/app:1\": 401 Unauthorized")
		}
		img := pullpolicy.LocalImage{ID: "sha256:5e1f", RepoTags: []string{"registry.example/team/app:1"}, Size: 1 << 20}
		return kubelet.PullResult{ImageRef: img.ID, Size: img.Size}, store.Add(img)
	})
	images, err := kubelet.NewImageManager(kubelet.Config{Store: store, Puller: runtime, Now: func() time.Time { return now }})
	if err != nil {
		fmt.Println(err)
		return
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: "app", Image: "registry.example/team/app:1", ImagePullPolicy: corev1.PullIfNotPresent},
	}}}
	pod.Namespace, pod.Name, pod.UID = "default", "app", "0d5c"

	reasons := podstatus.NewReasonCache(0)
	ensure := func(ctx context.Context, step podstatus.Step) (kubelet.Result, error) {
		return images.EnsureImageExists(ctx, step.Request(pod))
	}
	started := map[string]bool{}
	running := map[string]corev1.ContainerStatus{} // what the runtime reports
	for sync := 1; sync <= 4; sync++ {
		r := podstatus.Sync(context.Background(), pod, func(name string) bool { return started[name] }, ensure)
		reasons.Update(pod.UID, &r)
		for _, e := range r.AllEvents() {
			fmt.Printf("  event %s %s (%s)\n", e.Type, e.Reason, e.Message)
		}
		for _, s := range r.Starts {
			if s.Err == nil {
				fmt.Printf("  start %s from %s\n", s.Step.Name, s.ImageRef)
				started[s.Step.Name] = true
				running[s.Step.Name] = corev1.ContainerStatus{Name: s.Step.Name, ImageID: s.ImageRef,
					State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
			}
		}
		_, statuses, _ := podstatus.ContainerStatuses(pod, reasons, podstatus.StatusOptions{Runtime: running})
		if w := statuses[0].State.Waiting; w != nil {
			fmt.Printf("  waiting %s: %s\n", w.Reason, w.Message)
		} else if statuses[0].State.Running != nil {
			fmt.Printf("  running %s\n", statuses[0].ImageID)
		}
		next := podstatus.RetryDelay(&r, podstatus.BackOffPeriod, podstatus.ResyncInterval)
		fmt.Printf("sync %d; next in %s to %s\n", sync, next, podstatus.Jitter(next, podstatus.JitterFactor, 0.999))
		now = now.Add(next)
		authorized = sync == 3
	}
	// Output:
	//   event Normal Pulling (Pulling image "registry.example/team/app:1")
	//   event Warning Failed (Failed to pull image "registry.example/team/app:1": failed to pull and unpack image "registry.example/team/app:1": 401 Unauthorized)
	//   event Warning Failed (Error: ErrImagePull)
	//   waiting ErrImagePull: failed to pull and unpack image "registry.example/team/app:1": 401 Unauthorized
	// sync 1; next in 10s to 14.995s
	//   event Normal Pulling (Pulling image "registry.example/team/app:1")
	//   event Warning Failed (Failed to pull image "registry.example/team/app:1": failed to pull and unpack image "registry.example/team/app:1": 401 Unauthorized)
	//   event Warning Failed (Error: ErrImagePull)
	//   waiting ErrImagePull: failed to pull and unpack image "registry.example/team/app:1": 401 Unauthorized
	// sync 2; next in 10s to 14.995s
	//   event Normal BackOff (Back-off pulling image "registry.example/team/app:1")
	//   event Warning Failed (Error: ImagePullBackOff)
	//   waiting ImagePullBackOff: Back-off pulling image "registry.example/team/app:1": ErrImagePull: failed to pull and unpack image "registry.example/team/app:1": 401 Unauthorized
	// sync 3; next in 10s to 14.995s
	//   event Normal Pulling (Pulling image "registry.example/team/app:1")
	//   event Normal Pulled (Successfully pulled image "registry.example/team/app:1" in 0s (0s including waiting). Image size: 1048576 bytes.)
	//   start app from sha256:5e1f
	//   running sha256:5e1f
	// sync 4; next in 1m0s to 1m29.97s
}
