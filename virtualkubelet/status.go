package virtualkubelet

import (
	"errors"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/kubelet"
)

// TODO(vk-status): replace waitingStatus and startErrorMessage by kube/podstatus, which maps an
// EnsureImageExists outcome to the kubelet's container statuses and events exactly.

// startErrorMessage is what startContainer puts after "Error: " (kuberuntime_container.go:218):
// the gRPC status message of the error EnsureImageExists returned, which for the kubelet's
// sentinels is the reason alone.
func startErrorMessage(err error) string {
	if e, ok := errors.AsType[*kubelet.EnsureError](err); ok {
		return e.WaitingReason()
	}
	return err.Error()
}

// waitingStatus is the Pending status of a pod whose containers wait for their images.
func waitingStatus(pod *corev1.Pod, images []ImageStatus) corev1.PodStatus {
	st := corev1.PodStatus{Phase: corev1.PodPending, HostIP: pod.Status.HostIP, StartTime: pod.Status.StartTime}
	byName := map[string]ImageStatus{}
	for _, im := range images {
		if im.Request.Kind != kubelet.KindImageVolume {
			byName[im.Request.Kind.String()+"/"+im.Request.Container] = im
		}
	}
	status := func(kind kubelet.ContainerKind, c *corev1.Container, def string) corev1.ContainerStatus {
		w := &corev1.ContainerStateWaiting{Reason: def}
		if im, ok := byName[kind.String()+"/"+c.Name]; ok && im.Err != nil {
			w.Reason, w.Message = startErrorMessage(im.Err), im.Result.Message
		}
		return corev1.ContainerStatus{Name: c.Name, Image: c.Image, State: corev1.ContainerState{Waiting: w}}
	}
	def := "ContainerCreating"
	if len(pod.Spec.InitContainers) > 0 {
		def = "PodInitializing"
	}
	for i := range pod.Spec.InitContainers {
		st.InitContainerStatuses = append(st.InitContainerStatuses, status(kubelet.KindInitContainer, &pod.Spec.InitContainers[i], "PodInitializing"))
	}
	for i := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, status(kubelet.KindContainer, &pod.Spec.Containers[i], def))
	}
	return st
}

// terminated is the pod deleted before its images were ready: its containers never ran.
func terminated(pod *corev1.Pod, now metav1.Time) *corev1.Pod {
	pod.Status.Phase = corev1.PodFailed
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for i := range list {
			list[i].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 137, Reason: "ContainerStatusUnknown", FinishedAt: now,
				Message: "The container could not be located when the pod was terminated"}}
		}
	}
	return pod
}

func equalStatus(a, b *corev1.PodStatus) bool { return apiequality.Semantic.DeepEqual(a, b) }
