package virtualkubelet

import (
	"context"
	"errors"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kube/podstatus"
	"github.com/imagepull/imagepull/kubelet"
)

// podWorker is the kubelet's pod worker for one pod, up to the moment the wrapped provider
// creates it: it syncs the pod (ensures its images), and after a failed sync waits and syncs
// again (pkg/kubelet/pod_workers.go:1524 completeWork).
type podWorker struct {
	p   *Provider
	uid types.UID

	mu      sync.Mutex
	pod     *corev1.Pod   // the latest spec; its Status is the waiting status
	created bool          // the wrapped provider has the pod
	updated chan struct{} // a new spec to sync; capacity 1
	done    chan struct{} // closed by stop
	stopped bool
}

func newPodWorker(p *Provider, pod *corev1.Pod) *podWorker {
	pod = pod.DeepCopy()
	pod.Status = podstatus.PodStatus(pod, p.reasons, podstatus.StatusOptions{Now: p.clock.Now()})
	return &podWorker{p: p, uid: pod.UID, pod: pod, updated: make(chan struct{}, 1), done: make(chan struct{})}
}

// update replaces the pod's spec and asks for a sync now, as a pod update does to a
// kubelet's pod worker.
func (w *podWorker) update(pod *corev1.Pod) {
	w.mu.Lock()
	status := w.pod.Status
	w.pod = pod.DeepCopy()
	w.pod.Status = status
	w.mu.Unlock()
	select {
	case w.updated <- struct{}{}:
	default:
	}
}

// stop ends the worker and reports whether the wrapped provider has the pod.
func (w *podWorker) stop() (created bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.stopped = true
		close(w.done)
	}
	return w.created
}

func (w *podWorker) isCreated() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.created
}

// snapshot returns a copy of the pod with its waiting status.
func (w *podWorker) snapshot() *corev1.Pod {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pod.DeepCopy()
}

// run syncs the pod until its images are ready and the wrapped provider has created it, the
// pod is deleted or the provider closed. A provider that is not a notifier is then asked for
// the pod's status every StatusPollInterval.
func (w *podWorker) run(ctx context.Context) {
	for {
		delay, err := w.sync(ctx)
		if err == nil {
			break
		}
		if !w.wait(ctx, w.p.jitter(delay, JitterFactor)) {
			return
		}
	}
	if w.p.notify == nil {
		w.poll(ctx)
	}
}

// wait waits d on the provider's clock, or until the pod is updated; false when the worker
// must end.
func (w *podWorker) wait(ctx context.Context, d time.Duration) bool {
	t := w.p.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-w.updated:
		return true
	case <-w.done:
		return false
	case <-ctx.Done():
		return false
	}
}

// poll passes a synchronous provider's status of the pod on to virtual-kubelet when it changes.
func (w *podWorker) poll(ctx context.Context) {
	var last *corev1.PodStatus
	for w.wait(ctx, StatusPollInterval) {
		pod := w.snapshot()
		st, err := w.p.inner.GetPodStatus(ctx, pod.Namespace, pod.Name)
		if err != nil || st == nil || (last != nil && equalStatus(last, st)) {
			continue
		}
		last = st.DeepCopy()
		pod.Status = *last
		w.p.send(pod)
	}
}

// sync is one pass of the kubelet's SyncPod over the pod's images (podstatus.SyncAll: the
// provider starts the whole pod at once); nil once the wrapped provider has created the pod.
func (w *podWorker) sync(ctx context.Context) (time.Duration, error) {
	p := w.p
	pod := w.snapshot()
	secrets, missing := p.pullSecrets(ctx, pod)
	creds := kube.CredentialSecrets(secrets)
	handler := ""
	if pod.Spec.RuntimeClassName != nil {
		handler = *pod.Spec.RuntimeClassName
	}
	res := podstatus.SyncAll(ctx, pod, nil, func(ctx context.Context, step podstatus.Step) (kubelet.Result, error) {
		req := step.Request(pod)
		req.PullSecrets, req.RuntimeHandler = creds, handler
		return p.cfg.Images.EnsureImageExists(ctx, req)
	})
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	for _, e := range res.Events {
		p.record(pod, e)
	}
	// kubelet.go:2307-2319: only a sync with an ErrImagePull start reports the Secrets it could
	// not get.
	if e, ok := res.MissingSecretsEvent(missing); ok {
		p.record(pod, e)
	}
	p.reasons.Update(pod.UID, &res)
	if !res.Failed() {
		err := p.inner.CreatePod(ctx, pod)
		if err == nil {
			w.mu.Lock()
			w.created = true
			w.mu.Unlock()
			return 0, nil
		}
		p.log.Error("provider failed to create the pod", "pod", pod.Namespace+"/"+pod.Name, "err", err)
		w.setStatus(pod)
		return BackOffPeriod, err
	}
	w.setStatus(pod)
	return podstatus.RetryDelay(&res, BackOffPeriod, ResyncInterval), errSyncFailed
}

// setStatus computes the pod's status from the reason cache, keeps it, and sends it to
// virtual-kubelet.
func (w *podWorker) setStatus(pod *corev1.Pod) {
	w.mu.Lock()
	prev := w.pod.Status
	pod.Status = podstatus.PodStatus(pod, w.p.reasons, podstatus.StatusOptions{Previous: &prev, Now: w.p.clock.Now()})
	w.pod.Status = pod.Status
	w.mu.Unlock()
	w.p.send(pod)
}

// errSyncFailed says that a container of the pod could not start.
var errSyncFailed = errors.New("virtualkubelet: a container's image is not ready")

// pullSecrets reads the pod's imagePullSecrets, as getPullSecretsForPod
// (pkg/kubelet/kubelet_pods.go:1094): empty names are skipped, and the names it cannot get are
// returned in missing; the pod pulls without them.
func (p *Provider) pullSecrets(ctx context.Context, pod *corev1.Pod) (found []corev1.Secret, missing []string) {
	for _, ref := range pod.Spec.ImagePullSecrets {
		if ref.Name == "" {
			continue
		}
		s, err := p.cfg.Secrets.GetSecret(ctx, pod.Namespace, ref.Name)
		if err != nil || s == nil {
			p.log.Info("Unable to retrieve pull secret, the image pull may not succeed.", "pod", pod.Namespace+"/"+pod.Name, "secret", ref.Name, "err", err)
			missing = append(missing, ref.Name)
			continue
		}
		found = append(found, *s)
	}
	return found, missing
}
