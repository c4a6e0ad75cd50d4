package apiservere2e

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/doctor"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// benchPods is how many failing pods BenchmarkDoctorAllNamespaces diagnoses (issue 20: doctor
// -A over 1,000 failing pods in at most 30 s).
const benchPods = 1000

// BenchmarkDoctorAllNamespaces diagnoses every namespace, as `imagepull doctor -A` does
// (package doctor with registry.Probe, doctor's default bounds: 8 pods at a time, 4 calls in
// flight per registry), over 1,000 pods waiting in ImagePullBackOff on the loopback registry,
// each on a tag of its own that does not exist, so that every pod costs its own registry calls
// (the manifest's HEAD and GET, then the tags list). The pods, with their kubelet status and
// events, are written once, outside the timer. Run it with
//
//	go test -run '^$' -bench DoctorAllNamespaces -benchtime 1x
//
// and record the figure in BENCHMARKS.md ("doctor -A"). BenchmarkDoctorAllNamespacesCLI is
// the same through the built binary.
func BenchmarkDoctorAllNamespaces(b *testing.B) {
	host := benchWorld(b)
	res, err := registry.NewResolver(&registry.Options{PlainHTTP: []string{host}, MaxRetries: -1})
	require.NoError(b, err)
	defer res.CloseIdleConnections()
	for b.Loop() {
		d := doctor.New(hookAPI.Client, &doctor.Options{Prober: doctor.RegistryProber(res)})
		rep, err := d.Diagnose(b.Context(), doctor.Target{AllNamespaces: true})
		require.NoError(b, err)
		requireBenchPods(b, rep.Pods)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
}

// BenchmarkDoctorAllNamespacesCLI is BenchmarkDoctorAllNamespaces through the built binary:
// `imagepull doctor -A -o json`.
func BenchmarkDoctorAllNamespacesCLI(b *testing.B) {
	host := benchWorld(b)
	bin := doctorBinary(b)
	kubeconfig := writeKubeconfig(b, hookAPI)
	for b.Loop() {
		out := runDoctor(b, bin, "doctor", "-A", "--kubeconfig", kubeconfig, "--plain-http", host, "-o", "json")
		var rep doctor.Report
		require.NoError(b, json.Unmarshal([]byte(out), &rep))
		requireBenchPods(b, rep.Pods)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
}

// requireBenchPods checks that every failing pod of the benchmark's namespace was diagnosed,
// with the wrong tag named as its cause.
func requireBenchPods(b *testing.B, pods []doctor.PodReport) {
	n := 0
	for _, p := range pods {
		if p.Namespace == benchNS {
			n++
			require.Equal(b, doctor.CauseNotFound, p.Images[0].Finding.Cause, "%s", p.Name)
		}
	}
	require.Equal(b, benchPods, n, "every failing pod is diagnosed")
}

const benchNS = "doctor-bench"

var (
	benchOnce sync.Once
	benchHost string
)

// benchWorld writes the benchmark's registry and pods once per process and returns the
// registry's host.
func benchWorld(b *testing.B) string {
	if missing != "" {
		b.Skip(missing)
	}
	benchOnce.Do(func() {
		reg, err := registrytest.Start(registrytest.Options{}) // lives until the process ends
		require.NoError(b, err)
		for _, tag := range []string{"v1", "v1.9"} {
			_, err := reg.PushRandom(b.Context(), "bench/app:"+tag)
			require.NoError(b, err)
		}
		require.NoError(b, hookAPI.CreateNamespace(b.Context(), benchNS))
		writeFailingPods(b, benchNS, reg.Host())
		benchHost = reg.Host()
	})
	require.NotEmpty(b, benchHost, "the benchmark's world was not written")
	return benchHost
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
	status, evs, err := kubeletRun(ctx, p, crierrNotFound(image))
	if err != nil {
		return err
	}
	p.Status = status
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
