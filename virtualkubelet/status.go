package virtualkubelet

import (
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

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
