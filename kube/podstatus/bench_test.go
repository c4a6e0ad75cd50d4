package podstatus_test

import (
	"context"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/kube/podstatus"
	"github.com/imagepull/imagepull/kubelet"
)

// benchPod has 2 init containers, a sidecar, 10 containers and an image volume.
func benchPod() *corev1.Pod {
	var main []corev1.Container
	for i := range 10 {
		main = append(main, ctr("c"+strconv.Itoa(i), "private:1", "v"))
	}
	return pod([]corev1.Container{ctr("i1", "i:1"), sidecar("s", "s:1"), ctr("i2", "i:2")}, main, imageVolume("v", "vol:1"))
}

// A sync of a pod whose 10 containers all fail, then its statuses: what a custom kubelet
// does per pod and retry.
func BenchmarkSyncAllAndPodStatus(b *testing.B) {
	p := benchPod()
	fail := &kubelet.EnsureError{Reason: pullFailed.reason, Message: pullFailed.msg}
	ensure := func(_ context.Context, s podstatus.Step) (kubelet.Result, error) {
		if s.Image == "private:1" {
			return kubelet.Result{Message: pullFailed.msg}, fail
		}
		return kubelet.Result{ImageRef: "sha256:x"}, nil
	}
	cache := podstatus.NewReasonCache(0)
	b.ReportAllocs()
	for b.Loop() {
		r := podstatus.SyncAll(context.Background(), p, nil, ensure)
		cache.Update(p.UID, &r)
		_ = podstatus.PodStatus(p, cache, podstatus.StatusOptions{})
	}
}
