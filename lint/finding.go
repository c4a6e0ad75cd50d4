package lint

import (
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Object identifies the Kubernetes object a finding is about.
type Object struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// Finding is one rule's verdict on one image.
type Finding struct {
	// Rule is the rule's ID ("IP001") and RuleName its name ("policy-not-set").
	Rule     string `json:"rule"`
	RuleName string `json:"ruleName"`
	// Severity is the rule's severity after configuration.
	Severity Severity `json:"severity"`
	// Message says what is wrong with this image.
	Message string `json:"message"`
	// Fix is the rule's fix hint.
	Fix string `json:"fix"`

	// File, Document, Item and Line locate the finding: the file (as given to the reader),
	// the 1-based document, the 0-based index in a List (-1 outside one, which JSON leaves
	// out), and the 1-based
	// line of the field the finding is about (the image, or the pull policy) or, when that
	// field is absent, of the nearest enclosing one.
	File     string `json:"file,omitempty"`
	Document int    `json:"document"`
	Item     int    `json:"item"`
	Line     int    `json:"line,omitempty"`

	// Object is the workload the image is in.
	Object Object `json:"object"`
	// Container is the container's name (or the image volume's), and ContainerKind its kind.
	Container     string             `json:"container"`
	ContainerKind kube.ContainerKind `json:"containerKind"`
	// Path is the JSON path of the field in the object ("spec.template.spec.containers[0].image"),
	// and FieldPath the kubelet's field path for the container's events ("spec.containers{web}").
	Path      string `json:"path"`
	FieldPath string `json:"fieldPath,omitempty"`

	// Image is the image string; Policy the pull policy as written ("" when not set) and
	// Effective the one the API server stores.
	Image     string            `json:"image"`
	Policy    pullpolicy.Policy `json:"policy,omitempty"`
	Effective pullpolicy.Policy `json:"effective"`

	// Suppression, when not nil, is the annotation that silences this finding, with its
	// reason ([SuppressionPrefix]): the finding is reported as suppressed and does not count
	// toward [Reaches].
	Suppression *Suppression `json:"suppression,omitempty"`
}
