package admission

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/imagepull/imagepull/internal/clip"
)

// MaxNamedFields is how many fields a [FieldsError] names; the others are only counted. No pod
// the API server accepts comes near it in practice (its message stays the plugin's, byte for
// byte, up to this many fields), while a hostile pod with 100,000 containers gets a message of
// a few kilobytes instead of one built from 100,000 errors.
const MaxNamedFields = 32

// maxQuoted bounds a name or a policy quoted in a message. A valid pod name has at most 253
// bytes and a valid pull policy at most 12, so only a request that never passed the API
// server's validation (a review sent to the webhook directly) is cut.
const maxQuoted = clip.MaxField

// checkEvery is how many fields Validate visits between two looks at its context.
const checkEvery = 1024

// FieldsError is [Validate]'s error for a pod with fields whose pull policy is not Always. It is
// a k8s.io/apimachinery/pkg/util/errors.Aggregate of one Forbidden status error (code 403)
// wrapping NotSupported(path, policy, ["Always"]) per field, in the plugin's order, for the first
// [MaxNamedFields] fields; More counts the rest.
type FieldsError struct {
	errs []error
	// More is the number of fields not Always beyond the named ones.
	More int
}

// Errors returns the named fields' Forbidden errors (at most [MaxNamedFields]), in order.
func (e *FieldsError) Errors() []error { return e.errs }

// Is reports whether any named field's error is target (errors.Is), as an Aggregate does.
func (e *FieldsError) Is(target error) bool {
	for _, err := range e.errs {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// Error returns the API server's text for the plugin's aggregate, built in linear time: one
// field's message alone, else the messages joined by ", " in brackets, as the aggregate's
// Error() does (k8s.io/apimachinery/pkg/util/errors/errors.go, aggregate.Error; the messages
// are distinct, each naming another field, so its deduplication never applies). When More is
// not zero the list ends with ", and N more fields not Always" inside the brackets, where the
// API server would go on naming every field.
func (e *FieldsError) Error() string {
	if len(e.errs) == 1 && e.More == 0 {
		return e.errs[0].Error()
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, err := range e.errs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(err.Error())
	}
	if e.More > 0 {
		b.WriteString(", and ")
		b.WriteString(strconv.Itoa(e.More))
		b.WriteString(` more fields not "Always"`)
	}
	b.WriteByte(']')
	return b.String()
}

var _ utilerrors.Aggregate = (*FieldsError)(nil)

// Validate is the plugin's validating half. Unless [Skipped] says otherwise, it checks that every
// container and image volume of the pod in req.Object (a *corev1.Pod or a [PodFields]) has the pull policy
// Always.
//
// When some do not, it returns a [*FieldsError]: the plugin's aggregate of one Forbidden status
// error (code 403) wrapping NotSupported(path, policy, ["Always"]) per field, in the plugin's
// order, whose text is the API server's, except that only the first [MaxNamedFields] fields are
// named and the others counted (the API server names them all), and that a name or policy over
// 1 KiB (never valid) is cut. When req.Object is not a *corev1.Pod it returns the API server's
// BadRequest status error. It is [ValidateContext] without a deadline.
func Validate(req Request) error { return ValidateContext(context.Background(), req) }

// ValidateContext is [Validate] that gives up, returning ctx's error, when ctx ends while it
// visits the pod's fields. Its work is linear in the number of fields.
func ValidateContext(ctx context.Context, req Request) error {
	if Skipped(req) != NotSkipped {
		return nil
	}
	pod, ok := podOf(req.Object)
	if !ok {
		return apierrors.NewBadRequest(notAPodMessage)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var out FieldsError
	name := ""
	visited := 0
	for f := range pod.ImageFields() {
		if visited++; visited%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if *f.Policy == corev1.PullAlways {
			continue
		}
		if len(out.errs) == MaxNamedFields {
			out.More++
			continue
		}
		if name == "" {
			name = clip.String(forbiddenName(req), maxQuoted)
		}
		policy := corev1.PullPolicy(clip.String(string(*f.Policy), maxQuoted))
		notSupported := field.NotSupported(f.PolicyPath(), policy, []corev1.PullPolicy{corev1.PullAlways})
		out.errs = append(out.errs, apierrors.NewForbidden(req.Resource, name, notSupported))
	}
	if len(out.errs) == 0 {
		return nil
	}
	return &out
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
	if pod, ok := req.Object.(PodFields); ok { // the names a pod's accessor would give
		name, generateName := pod.PodName()
		return cmp.Or(name, generateName, "Unknown")
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
