package doctor

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// workloadPods finds the pods of a workload as its controllers own them: by the workload's
// label selector, kept only when a controller owner reference leads back to the workload
// (through its ReplicaSets for a Deployment, through its Jobs for a CronJob).
func (r *run) workloadPods(ctx context.Context, kind, name, ns string) ([]corev1.Pod, error) {
	c := r.d.client
	var (
		uid      types.UID
		selector *metav1.LabelSelector
		err      error
		resource string
	)
	switch kind {
	case "deployment":
		resource = "deployments"
		o, e := c.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; e == nil {
			uid, selector = o.UID, o.Spec.Selector
		}
	case "statefulset":
		resource = "statefulsets"
		o, e := c.AppsV1().StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; e == nil {
			uid, selector = o.UID, o.Spec.Selector
		}
	case "daemonset":
		resource = "daemonsets"
		o, e := c.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; e == nil {
			uid, selector = o.UID, o.Spec.Selector
		}
	case "replicaset":
		resource = "replicasets"
		o, e := c.AppsV1().ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; e == nil {
			uid, selector = o.UID, o.Spec.Selector
		}
	case "replicationcontroller":
		resource = "replicationcontrollers"
		o, e := c.CoreV1().ReplicationControllers(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; e == nil {
			uid, selector = o.UID, &metav1.LabelSelector{MatchLabels: o.Spec.Selector}
		}
	case "job":
		resource = "jobs"
		o, e := c.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; e == nil {
			uid, selector = o.UID, o.Spec.Selector
		}
	case "cronjob":
		resource = "cronjobs"
		o, e := c.BatchV1().CronJobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; e == nil {
			uid = o.UID
		}
	default:
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	if err != nil {
		return nil, accessError("get", resource, ns, err)
	}
	opts := metav1.ListOptions{}
	if selector != nil {
		sel, err := metav1.LabelSelectorAsSelector(selector)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", kind, name, err)
		}
		opts.LabelSelector = sel.String()
	}
	owners := map[types.UID]bool{uid: true}
	switch kind {
	case "deployment":
		list, err := c.AppsV1().ReplicaSets(ns).List(ctx, opts)
		if err != nil {
			return nil, accessError("list", "replicasets", ns, err)
		}
		for _, rs := range list.Items {
			if ownedBy(rs.OwnerReferences, owners) {
				owners[rs.UID] = true
			}
		}
	case "cronjob":
		list, err := c.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, accessError("list", "jobs", ns, err)
		}
		for _, j := range list.Items {
			if ownedBy(j.OwnerReferences, owners) {
				owners[j.UID] = true
			}
		}
	}
	list, err := c.CoreV1().Pods(ns).List(ctx, opts)
	if err != nil {
		return nil, accessError("list", "pods", ns, err)
	}
	var pods []corev1.Pod
	for _, p := range list.Items {
		if ownedBy(p.OwnerReferences, owners) {
			pods = append(pods, p)
		}
	}
	return pods, nil
}

// ownedBy reports whether refs hold a controller reference to one of owners.
func ownedBy(refs []metav1.OwnerReference, owners map[types.UID]bool) bool {
	for _, ref := range refs {
		if ref.Controller != nil && *ref.Controller && owners[ref.UID] {
			return true
		}
	}
	return false
}
