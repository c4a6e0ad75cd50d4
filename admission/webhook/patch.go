package webhook

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/admission"
)

// patchOp is one JSONPatch (RFC 6902) operation setting a pull policy.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
	// index is the field's position in admission.ImageFields, for the dry-run warning.
	index int
}

// policyPatch compares pod's policies, after Admit, with before (the same fields before it) and
// returns one "add" operation per policy that changed, recording the changed fields in out.
// "add" replaces a member that exists and creates one that does not, so the patch applies
// whether or not the API server's defaulting wrote the field.
func policyPatch(pod *corev1.Pod, before []corev1.PullPolicy, out *outcome) []patchOp {
	if pod == nil {
		return nil
	}
	var ops []patchOp
	i := 0
	for f := range admission.ImageFields(&pod.Spec) {
		if i < len(before) && before[i] != *f.Policy {
			ops = append(ops, patchOp{Op: "add", Path: f.PolicyPointer(), Value: string(*f.Policy), index: i})
			out.addField(f)
		}
		i++
	}
	return ops
}
