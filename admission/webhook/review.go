package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/imagepull/imagepull/admission"
	"github.com/imagepull/imagepull/internal/clip"
)

// endpoint is the half of the plugin a review asks for.
type endpoint int

const (
	mutate endpoint = iota
	validate
)

// String returns the endpoint's name as logged.
func (e endpoint) String() string {
	if e == mutate {
		return "mutate"
	}
	return "validate"
}

// The decisions logged, one per review.
const (
	decisionPatched    = "patched"     // /mutate sent a patch
	decisionWouldPatch = "would-patch" // dry run: /mutate would have sent a patch
	decisionAllowed    = "allowed"     // nothing to change or reject
	decisionDenied     = "denied"      // /validate rejected the pod, or the object was unreadable
	decisionWouldDeny  = "would-deny"  // dry run: /validate would have rejected the pod
	decisionSkipped    = "skipped"     // the plugin ignores the request
	decisionExcluded   = "excluded"    // an exclusion of the configuration applies
)

// outcome is a review's answer and what the log line says about it.
type outcome struct {
	response *admissionv1.AdmissionResponse
	decision string
	reason   string
	// name is the pod's name, or its generateName, for the log.
	name string
	// fields are the policy paths patched or rejected (or that would have been), at most
	// admission.MaxNamedFields of them; fieldsMore counts the others.
	fields     []string
	fieldsMore int
}

// addField records one field patched or rejected: its path while fewer than
// admission.MaxNamedFields are named, else only the count.
func (o *outcome) addField(f admission.ImageField) {
	if len(o.fields) < admission.MaxNamedFields {
		o.fields = append(o.fields, f.PolicyPath().String())
		return
	}
	o.fieldsMore++
}

// decide answers one review's request; it returns ctx's error instead once ctx ends.
// pods are the request's object and old object as [fastReview] decoded them, nil where it did
// not.
func (h *Handler) decide(ctx context.Context, ep endpoint, ar *admissionv1.AdmissionRequest, pods [2]*slimPod) (outcome, error) {
	resp := &admissionv1.AdmissionResponse{UID: ar.UID, Allowed: true}
	req := admission.Request{
		Operation:   ar.Operation,
		Resource:    schema.GroupResource{Group: ar.Resource.Group, Resource: ar.Resource.Resource},
		SubResource: ar.SubResource,
		Name:        ar.Name,
	}
	out := outcome{response: resp, decision: decisionAllowed, name: ar.Name}
	// The plugin's cheap checks need no object: leave other requests before decoding anything.
	if skip := admission.Skipped(req); skip != admission.NotSkipped {
		out.decision, out.reason = decisionSkipped, string(skip)
		return out, nil
	}
	if slices.Contains(h.namespaces, ar.Namespace) {
		out.decision, out.reason = decisionExcluded, "namespace "+ar.Namespace
		return out, nil
	}
	var err error
	if req.Object, err = decodeObject(ar.Object.Raw, ar.Kind, pods[0], h.slowOnly); err != nil {
		return h.deny(out, apierrors.NewBadRequest(clip.String(fmt.Sprintf("imagepull webhook: decoding the object: %v", err), clip.MaxErrorText))), nil
	}
	if req.OldObject, err = decodeObject(ar.OldObject.Raw, ar.Kind, pods[1], h.slowOnly); err != nil {
		// As in the API server, an old object that is no pod means the update is not ignored.
		req.OldObject = nil
	}
	ar.Object.Raw, ar.OldObject.Raw = nil, nil // decoded: let the collector have the bytes
	if err := ctx.Err(); err != nil {
		return out, err
	}
	pod, isPod := req.Object.(*slimPod)
	if isPod && pod != nil {
		out.name = podName(ar.Name, pod)
	}
	if skip := admission.Skipped(req); skip != admission.NotSkipped {
		out.decision, out.reason = decisionSkipped, string(skip)
		return out, nil
	}
	if isPod && pod != nil && h.selector.Matches(labels.Set(pod.Metadata.Labels)) {
		out.decision, out.reason = decisionExcluded, "labels match "+h.selector.String()
		return out, nil
	}
	if ep == mutate {
		return h.mutate(out, req), nil
	}
	return h.validate(ctx, out, req)
}

// mutate runs Admit and turns what it changed into a JSONPatch.
func (h *Handler) mutate(out outcome, req admission.Request) outcome {
	pod, _ := req.Object.(*slimPod)
	var before []corev1.PullPolicy
	if pod != nil {
		before = make([]corev1.PullPolicy, 0, pod.imageFieldCount())
		for f := range pod.ImageFields() {
			before = append(before, *f.Policy)
		}
	}
	if err := admission.Admit(req); err != nil {
		return h.deny(out, err)
	}
	patch, was := policyPatch(pod, before, &out)
	switch {
	case len(patch) == 0:
		return out
	case h.dryRun:
		out.decision = decisionWouldPatch
		for i, f := range out.fields {
			out.response.Warnings = append(out.response.Warnings,
				fmt.Sprintf("imagepull dry run: would set %s to Always (was %q)", f, clip.String(string(was[i]), clip.MaxField)))
		}
		if out.fieldsMore > 0 {
			out.response.Warnings = append(out.response.Warnings,
				fmt.Sprintf("imagepull dry run: would set %d more fields to Always", out.fieldsMore))
		}
		return out
	}
	body := patch
	pt := admissionv1.PatchTypeJSONPatch
	out.response.Patch, out.response.PatchType = body, &pt
	out.decision = decisionPatched
	return out
}

// validate runs Validate and turns its error into a denial; it returns ctx's error instead
// once ctx ends.
func (h *Handler) validate(ctx context.Context, out outcome, req admission.Request) (outcome, error) {
	err := admission.ValidateContext(ctx, req)
	if err == nil {
		return out, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return out, ctxErr
	}
	if apierrors.IsBadRequest(err) {
		return h.deny(out, err), nil
	}
	pod, _ := req.Object.(*slimPod)
	if pod == nil { // Validate fails on anything but a pod with a BadRequest, handled above
		return h.deny(out, err), nil
	}
	for f := range pod.ImageFields() {
		if *f.Policy != corev1.PullAlways {
			out.addField(f)
		}
	}
	if h.dryRun {
		out.decision = decisionWouldDeny
		out.response.Warnings = append(out.response.Warnings, "imagepull dry run: would deny: "+err.Error())
		return out, nil
	}
	out.response.Allowed = false
	out.response.Result = &metav1.Status{
		Status:  metav1.StatusFailure,
		Code:    http.StatusForbidden,
		Reason:  metav1.StatusReasonForbidden,
		Message: err.Error(),
		Details: &metav1.StatusDetails{Group: req.Resource.Group, Kind: req.Resource.Resource, Name: clip.String(podName(req.Name, pod), clip.MaxField)},
	}
	out.decision = decisionDenied
	return out, nil
}

// deny makes out a denial with err's status (the plugin's BadRequest, or a decoding error); in
// dry-run mode, an admission with a warning instead.
func (h *Handler) deny(out outcome, err error) outcome {
	status := apierrors.NewInternalError(err).ErrStatus
	if s, ok := err.(apierrors.APIStatus); ok {
		status = s.Status()
	}
	out.reason = status.Message
	if h.dryRun {
		out.decision = decisionWouldDeny
		out.response.Warnings = append(out.response.Warnings, "imagepull dry run: would deny: "+status.Message)
		return out
	}
	out.response.Allowed = false
	out.response.Result = &status
	out.decision = decisionDenied
	return out
}

// decodeObject decodes a review's object. An empty object is nil; an object whose kind is not
// v1 Pod (by its own apiVersion and kind, else by the review's) comes back as its metadata only,
// which the plugin rejects as not a pod. A pod is decoded through [slimPod]: only the fields the
// plugin and the exclusions read are kept, so that a pod of 100,000 containers costs a few
// tens of megabytes rather than hundreds.
//
// decoded is raw as [fastSlimPod] decodes it, when the caller has it already; otherwise
// decodeObject tries fastSlimPod itself (unless slowOnly), then encoding/json.
func decodeObject(raw []byte, reviewKind metav1.GroupVersionKind, decoded *slimPod, slowOnly bool) (runtime.Object, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	slim, ok := decoded, decoded != nil
	if !ok && !slowOnly {
		slim, ok = fastSlimPod(raw)
	}
	var err error
	if !ok {
		slim = &slimPod{}
		err = json.Unmarshal(raw, slim) // fills the type even when a later field does not fit
	}
	gvk := schema.FromAPIVersionAndKind(slim.APIVersion, slim.Kind)
	if gvk.Empty() {
		gvk = schema.GroupVersionKind(reviewKind)
	}
	if gvk != corev1.SchemeGroupVersion.WithKind("Pod") && !gvk.Empty() {
		meta := &metav1.PartialObjectMetadata{}
		if err := json.Unmarshal(raw, meta); err != nil {
			return nil, err
		}
		return meta, nil
	}
	if err != nil {
		return nil, podDecodeError(err)
	}
	return slim, nil
}

// podDecodeError words a type error in terms of the pod's fields rather than of [slimPod].
func podDecodeError(err error) error {
	te, ok := errors.AsType[*json.UnmarshalTypeError](err)
	switch {
	case !ok:
		return err
	case te.Field == "":
		return fmt.Errorf("json: cannot unmarshal %s into a v1 Pod", te.Value)
	}
	return fmt.Errorf("json: cannot unmarshal %s into the Pod field %s", te.Value, te.Field)
}

// podName is the name logged and reported: the request's, the pod's, or its generateName.
func podName(name string, pod *slimPod) string {
	switch {
	case name != "":
		return name
	case pod == nil:
		return ""
	case pod.Metadata.Name != "":
		return pod.Metadata.Name
	}
	return pod.Metadata.GenerateName
}
