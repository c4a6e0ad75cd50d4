package virtualkubelet

import (
	"context"
	"errors"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

// podWorker is the kubelet's pod worker for one pod, up to the moment the wrapped provider
// creates it: it syncs the pod (ensures its images), and after a failed sync waits and syncs
// again (pkg/kubelet/pod_workers.go:1524 completeWork).
type podWorker struct {
	p   *Provider
	uid types.UID

	mu      sync.Mutex
	pod     *corev1.Pod   // the latest spec; its Status is the waiting status
	images  []ImageStatus // the last sync's outcome, per image
	created bool          // the wrapped provider has the pod
	updated chan struct{} // a new spec to sync; capacity 1
	done    chan struct{} // closed by stop
	stopped bool
}

func newPodWorker(p *Provider, pod *corev1.Pod) *podWorker {
	pod = pod.DeepCopy()
	pod.Status = waitingStatus(pod, nil)
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
		err := w.sync(ctx)
		if err == nil {
			break
		}
		if !w.wait(ctx, w.retryDelay()) {
			return
		}
	}
	if w.p.notify == nil {
		w.poll(ctx)
	}
}

// retryDelay is completeWork's delay after a failed sync: backOffPeriod, jittered, at most
// the resync interval.
func (w *podWorker) retryDelay() time.Duration {
	return min(w.p.jitter(BackOffPeriod, JitterFactor), ResyncInterval+time.Duration(JitterFactor*float64(ResyncInterval)))
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

// sync is one pass of the kubelet's SyncPod over the pod's images; nil once the wrapped
// provider has created the pod.
func (w *podWorker) sync(ctx context.Context) error {
	pod := w.snapshot()
	secrets, missing := w.p.pullSecrets(ctx, pod)
	images, err := w.p.ensureImages(ctx, pod, secrets)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// pkg/kubelet/kubelet.go:2307-2319: only a sync that attempted a pull and failed reports
	// the Secrets it could not get.
	if len(missing) > 0 && anyPullFailed(images) {
		w.p.event(pod, corev1.EventTypeWarning, kube.ReasonMissingPullSecrets, kube.MissingPullSecretsMessage(missing))
	}
	if err == nil {
		if err = w.p.inner.CreatePod(ctx, pod); err == nil {
			w.mu.Lock()
			w.created, w.images = true, images
			w.mu.Unlock()
			return nil
		}
		w.p.log.Error("provider failed to create the pod", "pod", pod.Namespace+"/"+pod.Name, "err", err)
	}
	pod.Status = waitingStatus(pod, images)
	w.mu.Lock()
	w.pod.Status, w.images = pod.Status, images
	w.mu.Unlock()
	w.p.send(pod)
	return err
}

func anyPullFailed(images []ImageStatus) bool {
	for _, im := range images {
		if errors.Is(im.Err, pullpolicy.ErrImagePull) {
			return true
		}
	}
	return false
}

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

// ImageStatus is the outcome of one image of a pod in the last sync.
type ImageStatus struct {
	// Request is what was asked of the image manager: the container (or image volume), its
	// kind, image and policy.
	Request kubelet.Request
	// Attempted is false for a container not reached: an init container after one that
	// failed. Result and Err are then zero.
	Attempted bool
	// Result and Err are what EnsureImageExists returned. For a container that mounts an image
	// volume that failed, they are the volume's.
	Result kubelet.Result
	Err    error
}

// ensureImages runs the kubelet's image work of one SyncPod: the image volumes, all of them
// (kuberuntime_manager.go:2035 getImageVolumes), then each init container in order until one
// fails, then every regular container; a container that mounts a failed image volume fails
// with the volume's error without its own image being ensured (toKubeContainerImageVolumes,
// kuberuntime_manager.go:2001), and each failing container gets startContainer's Warning
// Failed "Error: <reason>" event (kuberuntime_container.go:218). The error is the first
// failure, nil when every image is ready.
func (p *Provider) ensureImages(ctx context.Context, pod *corev1.Pod, secrets []corev1.Secret) ([]ImageStatus, error) {
	creds := kube.CredentialSecrets(secrets)
	base := kubelet.Pod{Namespace: pod.Namespace, Name: pod.Name, UID: string(pod.UID),
		ServiceAccount: pod.Spec.ServiceAccountName, Annotations: pod.Annotations}
	handler := ""
	if pod.Spec.RuntimeClassName != nil {
		handler = *pod.Spec.RuntimeClassName
	}
	request := func(kind kubelet.ContainerKind, name, image string, policy corev1.PullPolicy) kubelet.Request {
		return kubelet.Request{Pod: base, Container: name, Kind: kind, Image: image,
			Policy: pullpolicy.Policy(policy), PullSecrets: creds, RuntimeHandler: handler}
	}
	var out []ImageStatus
	var first error
	ensure := func(req kubelet.Request) ImageStatus {
		res, err := p.cfg.Images.EnsureImageExists(ctx, req)
		if err != nil && first == nil {
			first = err
		}
		return ImageStatus{Request: req, Attempted: true, Result: res, Err: err}
	}
	volumes := map[string]ImageStatus{}
	for _, v := range pod.Spec.Volumes {
		if v.Image != nil {
			st := ensure(request(kubelet.KindImageVolume, v.Name, v.Image.Reference, v.Image.PullPolicy))
			volumes[v.Name] = st
			out = append(out, st)
		}
	}
	start := func(kind kubelet.ContainerKind, c *corev1.Container) ImageStatus {
		req := request(kind, c.Name, c.Image, c.ImagePullPolicy)
		var failed *ImageStatus
		for _, m := range c.VolumeMounts {
			if v, ok := volumes[m.Name]; ok && v.Err != nil {
				p.recordContainer(pod, &req, corev1.EventTypeWarning, "Failed", "Error: "+startErrorMessage(v.Err))
				failed = &v
			}
		}
		if failed != nil {
			return ImageStatus{Request: req, Attempted: true, Result: failed.Result, Err: failed.Err}
		}
		st := ensure(req)
		if st.Err != nil {
			p.recordContainer(pod, &req, corev1.EventTypeWarning, "Failed", "Error: "+startErrorMessage(st.Err))
		}
		return st
	}
	initFailed := false
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if initFailed {
			out = append(out, ImageStatus{Request: request(kubelet.KindInitContainer, c.Name, c.Image, c.ImagePullPolicy)})
			continue
		}
		st := start(kubelet.KindInitContainer, c)
		initFailed = st.Err != nil
		out = append(out, st)
	}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		if initFailed {
			out = append(out, ImageStatus{Request: request(kubelet.KindContainer, c.Name, c.Image, c.ImagePullPolicy)})
			continue
		}
		out = append(out, start(kubelet.KindContainer, c))
	}
	return out, first
}
