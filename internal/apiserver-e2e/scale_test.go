package apiservere2e

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/imagepull/imagepull/examples/virtual-kubelet-sim/sim"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// The scale proof (issue 19): one process runs many virtual nodes of the simulated provider
// (examples/virtual-kubelet-sim/sim) against the real API server, with real client-go and the loopback
// registry, and counts what a rollout costs the registry and the API server.
//
// The shape: every node gets the same slots 0..M-1; slot j asks for policy j%3 (Always,
// IfNotPresent, Never) and image (j/3)%K of that policy's own K repositories
// ("always/app-0:v1" … "never/app-3:v1"), so that each policy's requests are told apart by
// their path. The Never images are preloaded on every node, except the last one, which is on
// no node: its pods settle as ErrImageNeverPull. Each pod has one container.
//
// CI runs 5 nodes × 20 pods and asserts every predicted count. IMAGEPULL_SCALE=1 runs
// 100 nodes × 50 pods and reports the figures for BENCHMARKS.md (IMAGEPULL_SCALE_NODES and
// IMAGEPULL_SCALE_PODS_PER_NODE change the shape).

// scalePolicies are the three policies in slot order.
var scalePolicies = []corev1.PullPolicy{corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever}

// scaleShape is the size of a run.
type scaleShape struct {
	nodes, perNode, images int
}

func (s scaleShape) pods() int { return s.nodes * s.perNode }

// slot returns the policy index and the image index of slot j.
func (s scaleShape) slot(j int) (policy, image int) { return j % 3, (j / 3) % s.images }

// group is the first path segment of a policy's repositories.
func group(p corev1.PullPolicy) string { return strings.ToLower(string(p)) }

// repo is the repository of image k of policy p.
func repo(p corev1.PullPolicy, k int) string { return fmt.Sprintf("%s/app-%d", group(p), k) }

// prediction is what one policy's pods should cost, worked out by hand from the shape.
type prediction struct {
	pods int // pods of the policy
	// Registry requests: exact, except the manifest HEADs of IfNotPresent, which lie between
	// headMin and headMax (see predict).
	headMin, headMax, manifestGet, blobGet int
	running, neverPull                     int // pods that settle Running, and as ErrImageNeverPull
}

// predict works out each policy's costs. Per node, a policy has pods slots and uses distinct
// images (at most K). Pulls go through the simulated runtime, which costs what containerd
// costs: a HEAD per pull, then a manifest GET and two blob GETs (config, one layer) per image
// the node does not have yet, fetched once however many pulls run at the same time.
//
//   - Always: every pod pulls (the kubelet has no "present" shortcut under Always): HEADs =
//     pods; the content crosses once per node per image: manifest GETs = nodes × images,
//     blob GETs = 2 × nodes × images.
//   - IfNotPresent: the content crosses once per node per image, as for Always. A pod pulls
//     when its image is absent at its EnsureImageExists; pods that reach the node while the
//     first pull of their image is still queued pull too (the kubelet does not de-duplicate
//     pulls; its serialized queue runs them one after the other, and the later ones find the
//     content and cost a HEAD each). So HEADs lie between nodes × images (pods arriving one
//     at a time) and pods (all at once).
//   - Never: no request at all; pods of a preloaded image run, the others wait with
//     ErrImageNeverPull.
func predict(s scaleShape) map[corev1.PullPolicy]prediction {
	out := make(map[corev1.PullPolicy]prediction)
	for pi, p := range scalePolicies {
		var pods, never int
		used := make(map[int]bool)
		for j := range s.perNode {
			policy, image := s.slot(j)
			if policy != pi {
				continue
			}
			pods++
			used[image] = true
			if p == corev1.PullNever && image == s.images-1 {
				never++
			}
		}
		images := len(used)
		pr := prediction{pods: s.nodes * pods}
		switch p {
		case corev1.PullAlways:
			pr.headMin, pr.headMax = s.nodes*pods, s.nodes*pods
			pr.manifestGet, pr.blobGet = s.nodes*images, 2*s.nodes*images
			pr.running = pr.pods
		case corev1.PullIfNotPresent:
			pr.headMin, pr.headMax = s.nodes*images, s.nodes*pods
			pr.manifestGet, pr.blobGet = s.nodes*images, 2*s.nodes*images
			pr.running = pr.pods
		case corev1.PullNever:
			pr.neverPull = s.nodes * never
			pr.running = pr.pods - pr.neverPull
		}
		out[p] = pr
	}
	return out
}

// scaleShapeFromEnv returns the CI shape, or the full one under IMAGEPULL_SCALE=1.
func scaleShapeFromEnv(t *testing.T) scaleShape {
	s := scaleShape{nodes: 5, perNode: 20, images: 4}
	if os.Getenv("IMAGEPULL_SCALE") == "1" {
		s = scaleShape{nodes: 100, perNode: 50, images: 4}
	}
	for env, field := range map[string]*int{"IMAGEPULL_SCALE_NODES": &s.nodes, "IMAGEPULL_SCALE_PODS_PER_NODE": &s.perNode} {
		if v := os.Getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			require.NoError(t, err, env)
			*field = n
		}
	}
	return s
}

// scaleWorld is what a run sets up: the registry with its images, and the clients.
type scaleWorld struct {
	shape     scaleShape
	ns        string
	reg       *registrytest.Registry
	remote    *sim.Remote
	harness   kubernetes.Interface // creates the pods and watches them settle
	harnessN  *apiCounter
	nodes     kubernetes.Interface // the virtual nodes' client, shared by all of them
	nodesN    *apiCounter
	nodesConf *rest.Config
}

func newScaleWorld(t *testing.T, shape scaleShape) *scaleWorld {
	t.Helper()
	ctx := t.Context()
	w := &scaleWorld{shape: shape, ns: "scale", harnessN: newAPICounter(), nodesN: newAPICounter()}
	require.NoError(t, hookAPI.CreateNamespace(ctx, w.ns))
	w.reg = registrytest.New(t, registrytest.Options{})
	for _, p := range scalePolicies {
		for k := range shape.images {
			_, err := w.reg.PushRandom(ctx, repo(p, k)+":v1")
			require.NoError(t, err)
		}
	}
	remote, err := sim.NewRemote(sim.RemoteOptions{PlainHTTP: []string{"127.0.0.1"}})
	require.NoError(t, err)
	t.Cleanup(remote.Close)
	w.remote = remote
	w.harness, _ = clientWith(t, w.harnessN)
	w.nodes, w.nodesConf = clientWith(t, w.nodesN)
	return w
}

// clientWith returns a client of the API server whose requests n counts.
func clientWith(t *testing.T, n *apiCounter) (kubernetes.Interface, *rest.Config) {
	t.Helper()
	cfg := rest.CopyConfig(hookAPI.Config)
	cfg.QPS, cfg.Burst = 1000, 2000
	cfg.Wrap(n.wrap)
	c, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	return c, cfg
}

// image returns the reference of image k of policy p on the test registry.
func (w *scaleWorld) image(p corev1.PullPolicy, k int) string { return w.reg.Ref(repo(p, k), "v1") }

// nodeName names node i.
func nodeName(i int) string { return fmt.Sprintf("vnode-%03d", i) }

// newRuntime returns node i's runtime with the Never images preloaded (all but the last).
func (w *scaleWorld) newRuntime(t *testing.T) *sim.Runtime {
	rt := sim.NewRuntime(w.remote, sim.RuntimeOptions{})
	for k := range w.shape.images - 1 {
		ref := w.image(corev1.PullNever, k)
		require.NoError(t, rt.Preload(pullpolicy.LocalImage{RepoTags: []string{ref}, Size: 1 << 20}))
	}
	return rt
}

// podOf returns slot j's pod on node i.
func (w *scaleWorld) podOf(i, j int) *corev1.Pod {
	pi, k := w.shape.slot(j)
	p := scalePolicies[pi]
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%02d", nodeName(i), j), Namespace: w.ns,
			Labels: map[string]string{"policy": group(p)}},
		Spec: corev1.PodSpec{
			NodeName:                     nodeName(i),
			AutomountServiceAccountToken: ptr(false),
			Containers:                   []corev1.Container{{Name: "app", Image: w.image(p, k), ImagePullPolicy: p}},
		},
	}
}

// createNodes creates the Node objects, Ready, as a node's kubelet registers itself.
func (w *scaleWorld) createNodes(t *testing.T) {
	ctx := t.Context()
	for i := range w.shape.nodes {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName(i), Labels: map[string]string{"type": "virtual-kubelet"}}}
		_, err := w.nodes.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
		require.NoError(t, err)
	}
}

// createPods creates every pod, node after node, slot after slot, from a few goroutines.
func (w *scaleWorld) createPods(t *testing.T) {
	ctx := t.Context()
	const workers = 8
	jobs := make(chan *corev1.Pod)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for pod := range jobs {
				if _, err := w.harness.CoreV1().Pods(w.ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for i := range w.shape.nodes {
		for j := range w.shape.perNode {
			select {
			case jobs <- w.podOf(i, j):
			case err := <-errs:
				close(jobs)
				wg.Wait()
				require.NoError(t, err)
			}
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		require.NoError(t, err)
	default:
	}
}

// settled reports how a pod has settled: "Running", a terminal waiting reason, or "" while
// it has not.
func settled(pod *corev1.Pod) string {
	if pod.Status.Phase == corev1.PodRunning {
		return "Running"
	}
	for _, c := range pod.Status.ContainerStatuses {
		if w := c.State.Waiting; w != nil && (w.Reason == "ErrImageNeverPull" || w.Reason == "InvalidImageName") {
			return w.Reason
		}
	}
	return ""
}

// watchSettled watches the namespace's pods through one informer and returns a channel
// closed once want pods have settled, and a function that returns the pods settled so far by
// policy and outcome.
func (w *scaleWorld) watchSettled(t *testing.T, want int) (<-chan struct{}, func() map[string]map[string]int) {
	ctx := t.Context()
	f := informers.NewSharedInformerFactoryWithOptions(w.harness, 0, informers.WithNamespace(w.ns))
	inf := f.Core().V1().Pods().Informer()
	var mu sync.Mutex
	outcome := make(map[string]string) // pod name → outcome
	byPolicy := make(map[string]string)
	done := make(chan struct{})
	closed := false
	update := func(obj any) {
		pod, ok := obj.(*corev1.Pod)
		if !ok {
			return
		}
		s := settled(pod)
		if s == "" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		outcome[pod.Name] = s
		byPolicy[pod.Name] = pod.Labels["policy"]
		if len(outcome) == want && !closed {
			closed = true
			close(done)
		}
	}
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: update, UpdateFunc: func(_, obj any) { update(obj) }})
	require.NoError(t, err)
	f.Start(ctx.Done())
	t.Cleanup(f.Shutdown)
	return done, func() map[string]map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := make(map[string]map[string]int)
		for name, s := range outcome {
			p := byPolicy[name]
			if out[p] == nil {
				out[p] = make(map[string]int)
			}
			out[p][s]++
		}
		return out
	}
}

// memory is what the process holds after the run.
type memory struct {
	heapInuse, sys, peakRSS uint64 // bytes
	goroutines              int
}

func measureMemory() memory {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memory{heapInuse: ms.HeapInuse, sys: ms.Sys, peakRSS: peakRSS(), goroutines: runtime.NumGoroutine()}
}

// peakRSS returns the process's peak resident set size (VmHWM), 0 when unknown.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// TestScale runs the nodes and the pods, waits until every pod has settled, and checks every
// registry count against the prediction; it logs the times, memory and API requests.
func TestScale(t *testing.T) {
	needControlPlane(t)
	shape := scaleShapeFromEnv(t)
	w := newScaleWorld(t, shape)
	ctx := t.Context()
	w.createNodes(t)
	done, outcomes := w.watchSettled(t, shape.pods())
	stop := startVKNodes(t, w)
	defer stop()

	start := time.Now()
	w.createPods(t)
	created := time.Since(start)
	select {
	case <-done:
	case <-time.After(scaleTimeout(shape)):
		require.FailNow(t, "pods did not settle", "settled so far: %v", outcomes())
	case <-ctx.Done():
		t.FailNow()
	}
	settle := time.Since(start)
	mem := measureMemory()
	regCounts := countByKind(w.reg)
	pred := predict(shape)
	got := outcomes()

	var report strings.Builder
	fmt.Fprintf(&report, "scale: %d nodes, %d pods (%d per node), %d images per policy\n", shape.nodes, shape.pods(), shape.perNode, shape.images)
	fmt.Fprintf(&report, "  created in %v, all settled %v after the first create\n", created.Round(time.Millisecond), settle.Round(time.Millisecond))
	fmt.Fprintf(&report, "  memory: heap in use %s, Go runtime sys %s, peak RSS %s, %d goroutines\n", mib(mem.heapInuse), mib(mem.sys), mib(mem.peakRSS), mem.goroutines)
	for _, p := range scalePolicies {
		pr, c := pred[p], regCounts[group(p)]
		fmt.Fprintf(&report, "  %-12s pods %d: %v; registry %v (predicted HEAD %d..%d, manifest GET %d, blob GET %d)\n",
			p, pr.pods, got[group(p)], c, pr.headMin, pr.headMax, pr.manifestGet, pr.blobGet)
	}
	harness, hTotal := w.harnessN.snapshot()
	nodes, nTotal := w.nodesN.snapshot()
	fmt.Fprintf(&report, "  API requests by the nodes: %d (%s)\n", nTotal, formatCounts(nodes))
	fmt.Fprintf(&report, "  API requests by the harness: %d (%s)\n", hTotal, formatCounts(harness))
	fmt.Fprintf(&report, "  registry requests outside the test repositories: %v\n", regCounts[""])
	fmt.Fprintf(&report, "  events at settle time (count, aggregated ones included): %s\n", w.eventTally(t))
	t.Log(report.String())
	if os.Getenv("IMAGEPULL_SCALE") == "1" {
		say(report.String())
	}

	for _, p := range scalePolicies {
		pr, c := pred[p], regCounts[group(p)]
		assert.Equal(t, pr.manifestGet, c.ManifestGet, "%s: manifest GETs", p)
		assert.Equal(t, pr.blobGet, c.BlobGet, "%s: blob GETs", p)
		assert.Zero(t, c.Other, "%s: other requests", p)
		assert.GreaterOrEqual(t, c.ManifestHead, pr.headMin, "%s: manifest HEADs", p)
		assert.LessOrEqual(t, c.ManifestHead, pr.headMax, "%s: manifest HEADs", p)
		want := map[string]int{}
		if pr.running > 0 {
			want["Running"] = pr.running
		}
		if pr.neverPull > 0 {
			want["ErrImageNeverPull"] = pr.neverPull
		}
		assert.Equal(t, want, got[group(p)], "%s: outcomes", p)
	}
	assert.Empty(t, regCounts[""], "no requests outside the test repositories")
}

// eventTally lists the namespace's events (with the harness's client, after its requests were
// counted) and sums their counts by type and reason; the Failed events of pulls the registry
// QPS limit refused are counted apart, as "Warning Failed (pull QPS exceeded)".
func (w *scaleWorld) eventTally(t *testing.T) string {
	list, err := w.harness.CoreV1().Events(w.ns).List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	tally := make(map[string]int)
	for _, e := range list.Items {
		k := e.Type + " " + e.Reason
		if strings.Contains(e.Message, "pull QPS exceeded") {
			k += " (pull QPS exceeded)"
		}
		tally[k] += max(int(e.Count), 1)
	}
	return formatCounts(tally)
}

// scaleTimeout bounds the wait for the pods to settle: generous, since the machine is shared.
func scaleTimeout(s scaleShape) time.Duration {
	return 2*time.Minute + time.Duration(s.pods())*100*time.Millisecond
}
