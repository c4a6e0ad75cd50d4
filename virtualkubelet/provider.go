package virtualkubelet

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/clock"

	"github.com/imagepull/imagepull/kube/podstatus"
	"github.com/imagepull/imagepull/kubelet"
)

// The kubelet's pod worker timing (pkg/kubelet/kubelet.go:223 backOffPeriod,
// pkg/kubelet/pod_workers.go:327-330 jitter factors, the kubelet's default resync interval
// --sync-frequency of 1 minute).
const (
	// BackOffPeriod is how long the kubelet's pod worker waits before it syncs a pod again
	// after a failed sync, before jitter.
	BackOffPeriod = podstatus.BackOffPeriod
	// ResyncInterval is the kubelet's default --sync-frequency: the longest a failed pod
	// waits for its next sync.
	ResyncInterval = podstatus.ResyncInterval
	// JitterFactor is the pod worker's workerBackOffPeriodJitterFactor: a retry waits between
	// BackOffPeriod and 1.5×BackOffPeriod.
	JitterFactor = podstatus.JitterFactor
	// StatusPollInterval is how often the status of a pod is asked from a provider that is not
	// a [node.PodNotifier], as virtual-kubelet's own wrapper for such providers does.
	StatusPollInterval = 5 * time.Second
)

// SecretGetter reads a pull Secret from the API. A lister from an informer, or a client
// ([ClientSecrets]), will do. A Secret that does not exist (or cannot be read) is reported with
// an error; the pod then pulls without it, as the kubelet does.
type SecretGetter interface {
	GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error)
}

// SecretGetterFunc adapts a function to the [SecretGetter] interface.
type SecretGetterFunc func(ctx context.Context, namespace, name string) (*corev1.Secret, error)

// GetSecret calls f(ctx, namespace, name).
func (f SecretGetterFunc) GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	return f(ctx, namespace, name)
}

// Config configures a [Provider]: one virtual node.
type Config struct {
	// Provider runs the pods once their images are ready. Required. When it is also a
	// [node.PodNotifier], its notifications are passed on; otherwise the status of each pod it
	// runs is asked every StatusPollInterval.
	Provider node.PodLifecycleHandler
	// Images makes the images ready: the node's image manager, with its own pull records
	// (see [NewImageManager]), its Now from Clock. Required. Its events reach Recorder only
	// when its kubelet.Config.Recorder is set to an [events.Recorder] on the same
	// EventRecorder, as [NewImageManager] does.
	Images *kubelet.ImageManager
	// Secrets reads the pods' pull Secrets. Required.
	Secrets SecretGetter
	// Recorder receives the events the kubelet records on a pod beyond the image manager's:
	// FailedToRetrieveImagePullSecret and startContainer's "Error: <reason>". Required.
	Recorder record.EventRecorder
	// Clock times the pod worker's retries; nil means the real clock. Give the image manager
	// the same clock's Now.
	Clock clock.Clock
	// Jitter returns the delay before a retry, given BackOffPeriod and JitterFactor; nil means
	// the pod worker's random jitter (wait.Jitter: d plus up to factor×d). Tests pass a fixed
	// function.
	Jitter func(d time.Duration, factor float64) time.Duration
	// Logger receives what the adapter logs; nil discards it.
	Logger *slog.Logger
}

// Provider is a [node.PodLifecycleHandler] and [node.PodNotifier] that ensures a pod's images
// the kubelet's way before its wrapped provider creates the pod. It is safe for concurrent
// use. Each pod waiting for its images has one worker goroutine, the kubelet's pod worker;
// [Provider.Close] stops them all.
type Provider struct {
	cfg    Config
	inner  node.PodLifecycleHandler
	notify node.PodNotifier // inner as a notifier; nil for a synchronous provider
	clock  clock.Clock
	jitter func(time.Duration, float64) time.Duration
	log    *slog.Logger

	ctx    context.Context // the workers' context, cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	reasons *podstatus.ReasonCache // the kubelet's reason cache, for the node's pods

	mu       sync.Mutex
	pods     map[string]*podWorker // by namespace/name
	notifyFn func(*corev1.Pod)     // virtual-kubelet's callback; nil until NotifyPods
	closed   bool
}

// New returns a Provider for cfg. It starts no goroutine until a pod is created.
func New(cfg Config) (*Provider, error) {
	var errs []error
	if cfg.Provider == nil {
		errs = append(errs, errors.New("virtualkubelet: Config.Provider is nil"))
	}
	if cfg.Images == nil {
		errs = append(errs, errors.New("virtualkubelet: Config.Images is nil"))
	}
	if cfg.Secrets == nil {
		errs = append(errs, errors.New("virtualkubelet: Config.Secrets is nil"))
	}
	if cfg.Recorder == nil {
		errs = append(errs, errors.New("virtualkubelet: Config.Recorder is nil"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p := &Provider{cfg: cfg, inner: cfg.Provider, clock: cfg.Clock, jitter: cfg.Jitter, log: cfg.Logger,
		pods: map[string]*podWorker{}, reasons: podstatus.NewReasonCache(0)}
	p.notify, _ = cfg.Provider.(node.PodNotifier)
	if p.clock == nil {
		p.clock = clock.RealClock{}
	}
	if p.jitter == nil {
		p.jitter = randomJitter
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p, nil
}

// randomJitter is wait.Jitter: d plus a random fraction of up to factor×d.
func randomJitter(d time.Duration, factor float64) time.Duration {
	return podstatus.Jitter(d, factor, rand.Float64())
}

// Close stops every pod worker and waits for them. Pods already handed to the wrapped
// provider stay there. CreatePod fails after Close.
func (p *Provider) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	return nil
}

func podKey(namespace, name string) string { return namespace + "/" + name }

// CreatePod starts the pod's worker, which ensures the pod's images and then creates the pod
// in the wrapped provider. It returns at once: while the images are not ready the pod is
// Pending with its containers waiting, as on a kubelet, and the worker retries.
func (p *Provider) CreatePod(ctx context.Context, pod *corev1.Pod) error {
	key := podKey(pod.Namespace, pod.Name)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("virtualkubelet: provider is closed")
	}
	if w, ok := p.pods[key]; ok && w.uid == pod.UID {
		w.update(pod)
		return nil
	}
	w := newPodWorker(p, pod)
	p.pods[key] = w
	p.wg.Go(func() { w.run(p.ctx) })
	return nil
}

// UpdatePod passes the update to the wrapped provider once it has the pod; before, the worker
// syncs the new spec (a changed image is ensured anew).
func (p *Provider) UpdatePod(ctx context.Context, pod *corev1.Pod) error {
	if w := p.worker(pod.Namespace, pod.Name); w != nil && w.uid == pod.UID && !w.isCreated() {
		w.update(pod)
		return nil
	}
	return p.inner.UpdatePod(ctx, pod)
}

// DeletePod stops the pod's worker. A pod the wrapped provider has is deleted there; a pod
// still waiting for its images is reported terminated through NotifyPods, as
// virtual-kubelet requires of a provider.
func (p *Provider) DeletePod(ctx context.Context, pod *corev1.Pod) error {
	key := podKey(pod.Namespace, pod.Name)
	p.mu.Lock()
	w := p.pods[key]
	delete(p.pods, key)
	p.mu.Unlock()
	if w == nil {
		return p.inner.DeletePod(ctx, pod)
	}
	created := w.stop()
	if created {
		return p.inner.DeletePod(ctx, pod)
	}
	p.send(terminated(w.snapshot(), metav1.NewTime(p.clock.Now())))
	return nil
}

// GetPod returns the pod as the wrapped provider has it, or, while it waits for its images,
// the pod with its waiting status.
func (p *Provider) GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	if w := p.worker(namespace, name); w != nil && !w.isCreated() {
		return w.snapshot(), nil
	}
	return p.inner.GetPod(ctx, namespace, name)
}

// GetPodStatus returns the pod's status as the wrapped provider has it, or, while it waits for
// its images, its waiting status.
func (p *Provider) GetPodStatus(ctx context.Context, namespace, name string) (*corev1.PodStatus, error) {
	if w := p.worker(namespace, name); w != nil && !w.isCreated() {
		return &w.snapshot().Status, nil
	}
	return p.inner.GetPodStatus(ctx, namespace, name)
}

// GetPods returns the wrapped provider's pods and the pods waiting for their images.
func (p *Provider) GetPods(ctx context.Context) ([]*corev1.Pod, error) {
	pods, err := p.inner.GetPods(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	waiting := make([]*podWorker, 0, len(p.pods))
	for _, w := range p.pods {
		waiting = append(waiting, w)
	}
	p.mu.Unlock()
	for _, w := range waiting {
		if !w.isCreated() {
			pods = append(pods, w.snapshot())
		}
	}
	return pods, nil
}

// NotifyPods registers virtual-kubelet's callback. The waiting pods' statuses are sent to it,
// and the wrapped provider's notifications are passed on.
func (p *Provider) NotifyPods(ctx context.Context, f func(*corev1.Pod)) {
	p.mu.Lock()
	p.notifyFn = f
	p.mu.Unlock()
	if p.notify != nil {
		p.notify.NotifyPods(ctx, f)
	}
}

// send passes pod to virtual-kubelet's callback, when registered.
func (p *Provider) send(pod *corev1.Pod) {
	p.mu.Lock()
	f := p.notifyFn
	p.mu.Unlock()
	if f != nil {
		f(pod)
	}
}

func (p *Provider) worker(namespace, name string) *podWorker {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pods[podKey(namespace, name)]
}

// record records e on the pod, on the container of e's field path when it has one
// (pkg/kubelet/container/ref.go GenerateContainerRef), as the kubelet's recorder does.
func (p *Provider) record(pod *corev1.Pod, e kubelet.Event) {
	if e.FieldPath == "" {
		p.cfg.Recorder.Event(pod, e.Type, e.Reason, e.Message)
		return
	}
	ref := &corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name,
		UID: pod.UID, ResourceVersion: pod.ResourceVersion, FieldPath: e.FieldPath}
	p.cfg.Recorder.Event(ref, e.Type, e.Reason, e.Message)
}
