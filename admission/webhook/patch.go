package webhook

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/admission"
)

// patchOpBytes is room for one JSONPatch operation: the fixed text plus the longest policy
// pointer for an index of up to ten digits (/spec/ephemeralContainers/N/imagePullPolicy).
const patchOpBytes = len(`{"op":"add","path":"","value":""},`) + len("/spec/ephemeralContainers//imagePullPolicy") + 10 + len(corev1.PullAlways)

// policyPatch compares pod's policies, after Admit, with before (the same fields before it) and
// returns a JSONPatch (RFC 6902) of one "add" operation per policy that changed, nil when none
// did, with the policies the named fields had before (out records the fields changed). "add"
// replaces a member that exists and creates one that does not, so the patch applies whether or
// not the API server's defaulting wrote the field.
//
// The patch is written directly into one buffer sized for every field: the pointers hold only
// fixed names and indices, and the value is a pull policy set by Admit (Always), so nothing
// needs escaping. A 100,000-field pod then costs one buffer, not 100,000 structures and a
// marshalled copy.
func policyPatch(pod *slimPod, before []corev1.PullPolicy, out *outcome) (patch []byte, was []corev1.PullPolicy) {
	if pod == nil {
		return nil, nil
	}
	i := 0
	for f := range pod.ImageFields() {
		if i < len(before) && before[i] != *f.Policy {
			if patch == nil {
				patch = make([]byte, 0, 2+patchOpBytes*(len(before)-i))
				patch = append(patch, '[')
			} else {
				patch = append(patch, ',')
			}
			patch = append(patch, `{"op":"add","path":"`...)
			patch = appendPointer(patch, f)
			patch = append(patch, `","value":`...)
			patch = strconv.AppendQuote(patch, string(*f.Policy))
			patch = append(patch, '}')
			if len(out.fields) < admission.MaxNamedFields {
				was = append(was, before[i])
			}
			out.addField(f)
		}
		i++
	}
	if patch != nil {
		patch = append(patch, ']')
	}
	return patch, was
}

// appendPointer appends f.PolicyPointer() to b without building the string.
func appendPointer(b []byte, f admission.ImageField) []byte {
	b = append(b, "/spec/"...)
	b = append(b, f.Kind.String()...)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(f.Index), 10)
	if f.Kind == admission.ImageVolume {
		return append(b, "/image/pullPolicy"...)
	}
	return append(b, "/imagePullPolicy"...)
}
