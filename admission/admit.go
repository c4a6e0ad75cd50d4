package admission

import (
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// notAPodMessage is the API server's message for an object on the pods resource that is not a
// pod.
const notAPodMessage = "Resource was marked with kind Pod but was unable to be converted"

// Admit is the plugin's mutating half. Unless [Skipped] says otherwise, it sets the pull policy
// of every init, regular and ephemeral container and of every image volume of the pod in
// req.Object (a *corev1.Pod or a [PodFields]) to Always, in place.
//
// It returns nil for skipped requests and after mutating; when req.Object is neither a
// *corev1.Pod nor a [PodFields] it returns the API server's BadRequest status error (a
// *apierrors.StatusError with code 400).
func Admit(req Request) error {
	if Skipped(req) != NotSkipped {
		return nil
	}
	pod, ok := podOf(req.Object)
	if !ok {
		return apierrors.NewBadRequest(notAPodMessage)
	}
	for f := range pod.ImageFields() {
		*f.Policy = corev1.PullAlways
	}
	return nil
}
