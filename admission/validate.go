package admission

import (
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate is the plugin's validating half. Unless [Skipped] says otherwise, it checks that every
// container and image volume of the pod in req.Object has the pull policy Always.
//
// Each field that does not is one Forbidden status error (code 403) wrapping the field error
// NotSupported(path, policy, ["Always"]); the errors are returned as a
// k8s.io/apimachinery/pkg/util/errors.Aggregate, in the plugin's order, whose text is the API
// server's. When req.Object is not a *corev1.Pod it returns the API server's BadRequest status
// error.
func Validate(req Request) error {
	if Skipped(req) != NotSkipped {
		return nil
	}
	pod, ok := podOf(req.Object)
	if !ok {
		return apierrors.NewBadRequest(notAPodMessage)
	}
	var errs []error
	for f := range ImageFields(&pod.Spec) {
		if *f.Policy == corev1.PullAlways {
			continue
		}
		notSupported := field.NotSupported(f.PolicyPath(), *f.Policy, []corev1.PullPolicy{corev1.PullAlways})
		errs = append(errs, apierrors.NewForbidden(req.Resource, forbiddenName(req), notSupported))
	}
	return utilerrors.NewAggregate(errs)
}

// forbiddenName is the name the API server puts in a Forbidden error: the request's name, else
// the object's name or generateName (names are generated after admission), else "Unknown".
func forbiddenName(req Request) string {
	if req.Name != "" {
		return req.Name
	}
	if req.Object == nil {
		return "Unknown"
	}
	obj, err := meta.Accessor(req.Object)
	if err != nil {
		return "Unknown/errorGettingName"
	}
	if obj.GetName() != "" {
		return obj.GetName()
	}
	if obj.GetGenerateName() != "" {
		return obj.GetGenerateName()
	}
	return "Unknown"
}
