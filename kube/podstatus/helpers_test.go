package podstatus_test

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/kube/podstatus"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

// outcome is what the fake EnsureImageExists returns for an image.
type outcome struct {
	reason error  // pullpolicy sentinel; nil for success
	msg    string // the returned message
	raw    error  // a raw error, when reason is nil
}

// fakeEnsure answers from a table by image string; images not in it are ready, with the
// image ID "sha256:<image>". calls records the steps in order.
type fakeEnsure struct {
	out   map[string]outcome
	calls []podstatus.Step
}

func (f *fakeEnsure) ensure(_ context.Context, s podstatus.Step) (kubelet.Result, error) {
	f.calls = append(f.calls, s)
	o, ok := f.out[s.Image]
	if !ok {
		return kubelet.Result{ImageRef: "sha256:" + s.Image}, nil
	}
	ev := kubelet.Event{Type: kubelet.EventTypeWarning, Reason: "Failed", Message: "Failed to pull image " + s.Image, FieldPath: s.FieldPath}
	if o.raw != nil {
		return kubelet.Result{Message: o.raw.Error()}, &kubelet.EnsureError{Message: o.raw.Error(), Err: o.raw}
	}
	return kubelet.Result{Message: o.msg, Events: []kubelet.Event{ev}}, &kubelet.EnsureError{Reason: o.reason, Message: o.msg}
}

func names(steps []podstatus.Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.Kind.String() + "/" + s.Name
	}
	return out
}

func ctr(name, image string, mounts ...string) corev1.Container {
	c := corev1.Container{Name: name, Image: image, ImagePullPolicy: corev1.PullIfNotPresent}
	for _, m := range mounts {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: m, MountPath: "/" + m})
	}
	return c
}

func sidecar(name, image string) corev1.Container {
	c := ctr(name, image)
	always := corev1.ContainerRestartPolicyAlways
	c.RestartPolicy = &always
	return c
}

func imageVolume(name, ref string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: ref, PullPolicy: corev1.PullIfNotPresent}}}
}

func pod(init []corev1.Container, containers []corev1.Container, volumes ...corev1.Volume) *corev1.Pod {
	p := &corev1.Pod{Spec: corev1.PodSpec{InitContainers: init, Containers: containers, Volumes: volumes, RestartPolicy: corev1.RestartPolicyAlways}}
	p.Namespace, p.Name, p.UID = "default", "web", "uid-1"
	return p
}

func startedSet(names ...string) podstatus.Started {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	return func(n string) bool { return set[n] }
}

var (
	pullFailed = outcome{reason: pullpolicy.ErrImagePull, msg: "failed to pull and unpack image: 401 Unauthorized"}
	backOff    = outcome{reason: pullpolicy.ErrImagePullBackOff, msg: `Back-off pulling image "private:1": ErrImagePull: failed to pull and unpack image: 401 Unauthorized`}
	neverPull  = outcome{reason: pullpolicy.ErrImageNeverPull, msg: `Container image "absent:1" is not present with pull policy of Never`}
)
