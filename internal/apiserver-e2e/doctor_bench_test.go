package apiservere2e

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// benchPods is how many failing pods BenchmarkDoctorAllNamespaces diagnoses (issue 20: doctor
// -A over 1,000 failing pods in at most 30 s).
const benchPods = 1000

// BenchmarkDoctorAllNamespaces runs `imagepull doctor -A -o json`, the built binary, over
// 1,000 pods waiting in ImagePullBackOff on the loopback registry, each on a tag of its own
// that does not exist, so that every pod costs doctor its own registry calls (the manifest,
// then the tags list) through its per-registry concurrency bound. The pods, with their
// kubelet status and events, are written once, outside the timer. Run it with
//
//	go test -run '^$' -bench DoctorAllNamespaces -benchtime 1x
//
// and record the figure in BENCHMARKS.md ("doctor -A").
func BenchmarkDoctorAllNamespaces(b *testing.B) {
	if missing != "" {
		b.Skip(missing)
	}
	bin := doctorBinary(b)
	kubeconfig := writeKubeconfig(b, hookAPI)
	reg := registrytest.New(b, registrytest.Options{})
	for _, tag := range []string{"v1", "v1.9"} {
		_, err := reg.PushRandom(b.Context(), "bench/app:"+tag)
		require.NoError(b, err)
	}
	const ns = "doctor-bench"
	require.NoError(b, hookAPI.CreateNamespace(b.Context(), ns))
	writeFailingPods(b, ns, reg.Host())

	b.ResetTimer()
	var pods int
	for b.Loop() {
		out := []byte(runDoctor(b, bin, "doctor", "-A", "--kubeconfig", kubeconfig, "--plain-http", reg.Host(), "-o", "json"))
		var rep struct {
			Pods []struct {
				Namespace string `json:"namespace"`
			} `json:"pods"`
		}
		require.NoError(b, json.Unmarshal(out, &rep))
		pods = 0
		for _, p := range rep.Pods {
			if p.Namespace == ns {
				pods++
			}
		}
		require.Equal(b, benchPods, pods, "every failing pod is diagnosed")
	}
	b.ReportMetric(float64(pods), "pods")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
}

// writeFailingPods creates benchPods pods in ns, 16 at a time, each waiting in
// ImagePullBackOff on host/bench/app:missing-N with the kubelet's message and events.
func writeFailingPods(b *testing.B, ns, host string) {
	b.Helper()
	client := hookAPI.Client.CoreV1()
	node := "node-" + ns
	_, err := client.Nodes().Create(b.Context(), &corev1.Node{ObjectMeta: metaObject(node)}, metaCreate)
	require.NoError(b, err)
	work := make(chan int)
	errs := make(chan error, benchPods)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := range work {
				errs <- writeFailingPod(b, ns, node, fmt.Sprintf("%s/bench/app:missing-%04d", host, i), fmt.Sprintf("app-%04d", i))
			}
		})
	}
	start := time.Now()
	for i := range benchPods {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(b, err)
	}
	b.Logf("wrote %d failing pods with their status and events in %s", benchPods, time.Since(start).Round(time.Millisecond))
}

// writeFailingPod creates one pod, its waiting status and its kubelet events.
func writeFailingPod(b *testing.B, ns, node, image, name string) error {
	ctx := b.Context()
	client := hookAPI.Client.CoreV1()
	p, err := client.Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metaObject(name),
		Spec: corev1.PodSpec{
			NodeName: node, AutomountServiceAccountToken: ptr(false),
			Containers: []corev1.Container{{Name: "app", Image: image, ImagePullPolicy: corev1.PullIfNotPresent}},
		},
	}, metaCreate)
	if err != nil {
		return err
	}
	reason, msg, evs := pullFailedThenBackOff(image, crierrNotFound(image))
	p.Status = corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{
		Name: "app", Image: image,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}},
	}}}
	if _, err := client.Pods(ns).UpdateStatus(ctx, p, metaUpdate); err != nil {
		return err
	}
	for _, e := range evs[:2] { // Pulling and Failed: what doctor sets beside its diagnosis
		if _, err := client.Events(ns).Create(ctx, &corev1.Event{
			ObjectMeta:     metaObject(name + "." + randomHex()),
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: ns, Name: name, UID: p.UID, FieldPath: e.fieldPath},
			Type:           e.typ, Reason: e.reason, Message: e.message, Count: e.count,
			Source: corev1.EventSource{Component: "kubelet", Host: node},
		}, metaCreate); err != nil {
			return err
		}
	}
	return nil
}
