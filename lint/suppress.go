package lint

import (
	"strings"

	"github.com/imagepull/imagepull/kube"
)

// SuppressionPrefix begins the annotations that suppress a rule for one object, as
// kube-linter's ignore-check.kube-linter.io/<check> does, with the reason as the value:
//
//	metadata:
//	  annotations:
//	    imagepull.dev/ignore-mutable-tag: "the dev namespace follows latest on purpose"
//	    imagepull.dev/ignore-IP008.migrate: "the node's credential provider serves this registry"
//
// After the prefix comes the rule, by ID (any case) or name, and optionally "." and the
// name of one container (or image volume): then only that container's findings are
// suppressed. Container names cannot hold a dot, so the form is unambiguous; the part after
// the "/" must stay within the API server's 63 characters, so long names take the rule's ID.
// The annotation is read from the object's metadata and from its pod template's; an empty
// reason suppresses nothing. A suppressed finding is still reported, as suppressed, with
// the reason: in text, in JSON and as a SARIF suppression.
const SuppressionPrefix = "imagepull.dev/ignore-"

// Suppression is the annotation that suppresses a finding, and the reason it gives.
type Suppression struct {
	// Annotation is the annotation's key: "imagepull.dev/ignore-mutable-tag".
	Annotation string `json:"annotation"`
	// Reason is its value, trimmed.
	Reason string `json:"reason"`
}

// suppression returns the annotation of w that suppresses rule r for container ("" for a
// finding about the whole object), or nil. A container's own annotation wins over the
// object's; then the object's metadata over its template's; then the smallest key, so that
// the answer does not depend on map order.
func suppression(w *kube.Workload, r *Rule, container string) *Suppression {
	var best *Suppression
	bestRank := 0
	for i, annotations := range []map[string]string{w.Metadata.Annotations, w.Template.Annotations} {
		if i == 1 && w.TemplatePath == "" {
			break // a Pod's template metadata is its own
		}
		for key, value := range annotations {
			rest, ok := strings.CutPrefix(key, SuppressionPrefix)
			if !ok {
				continue
			}
			rule, name, perContainer := strings.Cut(rest, ".")
			if (!strings.EqualFold(rule, r.ID) && rule != r.Name) || (perContainer && (container == "" || name != container)) {
				continue
			}
			reason := strings.TrimSpace(value)
			if reason == "" {
				continue
			}
			rank := 4 - 2*btoi(perContainer) - 1 + i // lower is better: container, metadata first
			if best == nil || rank < bestRank || (rank == bestRank && key < best.Annotation) {
				best, bestRank = &Suppression{Annotation: key, Reason: reason}, rank
			}
		}
	}
	return best
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Suppressed returns how many findings are suppressed.
func Suppressed(findings []Finding) int {
	n := 0
	for i := range findings {
		if findings[i].Suppression != nil {
			n++
		}
	}
	return n
}
