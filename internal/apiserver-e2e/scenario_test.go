package apiservere2e

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/internal/apiserver-e2e/controlplane"
)

// result is what one API server made of the scenario's requests.
type result struct {
	// pods are the stored pods by name, without the fields that differ between any two servers
	// (uid, resourceVersion, timestamps).
	pods map[string]corev1.Pod
	// dryRun is the pod a dry-run create answered with, normalized the same way.
	dryRun corev1.Pod
	// template is the stored Deployment's pod template spec.
	template corev1.PodSpec
	// steps is each step's error text, "" when it succeeded.
	steps map[string]string
}

// The scenario's steps, in order, by the name results use.
const (
	stepNewImage          = "update p-never: a new image in containers[0], containers[1] unchanged"
	stepLabels            = "update p-never: labels only"
	stepEphemeral         = "add ephemeral container (Never) to p-always through the subresource"
	stepLabelsAfter       = "update p-always: labels only, with a Never ephemeral container"
	stepKnownImageAfter   = "update p-always: containers[0] takes an image the pod already runs"
	stepNewImageAfter     = "update p-always: a new image, with a Never ephemeral container"
	stepEphemeralIfNotPre = "add ephemeral container (IfNotPresent, new image) to p-unset through the subresource"
)

// scenario sends the same requests to api in namespace ns and returns what it stored.
func scenario(t *testing.T, api *controlplane.APIServer, ns string) result {
	t.Helper()
	ctx := t.Context()
	pods := api.Client.CoreV1().Pods(ns)
	res := result{pods: map[string]corev1.Pod{}, steps: map[string]string{}}
	for _, policy := range policies {
		_, err := pods.Create(ctx, podWith(podName(policy), policy), metav1.CreateOptions{})
		require.NoError(t, err, "create %s", podName(policy))
	}
	step := func(name, pod string, change func(*corev1.Pod)) {
		p, err := pods.Get(ctx, pod, metav1.GetOptions{})
		require.NoError(t, err)
		change(p)
		_, err = pods.Update(ctx, p, metav1.UpdateOptions{})
		res.steps[name] = errText(err)
	}
	ephemeral := func(name, pod string, c corev1.EphemeralContainer) {
		p, err := pods.Get(ctx, pod, metav1.GetOptions{})
		require.NoError(t, err)
		p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, c)
		_, err = pods.UpdateEphemeralContainers(ctx, pod, p, metav1.UpdateOptions{})
		res.steps[name] = errText(err)
	}
	step(stepNewImage, "p-never", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "registry.example/app:2" })
	step(stepLabels, "p-never", func(p *corev1.Pod) { p.Labels["tier"] = "web" })
	ephemeral(stepEphemeral, "p-always", corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "debug", Image: "registry.example/debug:1", ImagePullPolicy: corev1.PullNever,
		TerminationMessagePolicy: corev1.TerminationMessageReadFile,
	}})
	step(stepLabelsAfter, "p-always", func(p *corev1.Pod) { p.Labels["tier"] = "web" })
	step(stepKnownImageAfter, "p-always", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "registry.example/init:1" })
	step(stepNewImageAfter, "p-always", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "registry.example/app:3" })
	ephemeral(stepEphemeralIfNotPre, "p-unset", corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "debug", Image: "registry.example/debug:2", ImagePullPolicy: corev1.PullIfNotPresent,
		TerminationMessagePolicy: corev1.TerminationMessageReadFile,
	}})

	dry, err := pods.Create(ctx, podWith("p-dry-run", corev1.PullNever), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	require.NoError(t, err)
	res.dryRun = normalize(*dry)

	_, err = api.Client.AppsV1().Deployments(ns).Create(ctx, deploymentWith(corev1.PullNever), metav1.CreateOptions{})
	require.NoError(t, err)
	d, err := api.Client.AppsV1().Deployments(ns).Get(ctx, "d", metav1.GetOptions{})
	require.NoError(t, err)
	res.template = d.Spec.Template.Spec

	list, err := pods.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for _, p := range list.Items {
		res.pods[p.Name] = normalize(p)
	}
	return res
}

// normalize clears what differs between two servers storing the same requests: identities,
// times, and the order of the managed-fields entries, which the API server sorts by their
// (second-granular) times, so that two entries written within one second come in either order.
func normalize(p corev1.Pod) corev1.Pod {
	p.UID, p.ResourceVersion, p.CreationTimestamp = "", "", metav1.Time{}
	for i := range p.ManagedFields {
		p.ManagedFields[i].Time = nil
	}
	slices.SortStableFunc(p.ManagedFields, func(a, b metav1.ManagedFieldsEntry) int {
		return cmp.Or(strings.Compare(a.Manager, b.Manager), strings.Compare(string(a.Operation), string(b.Operation)),
			strings.Compare(a.Subresource, b.Subresource), strings.Compare(a.APIVersion, b.APIVersion))
	})
	return p
}

// errText is err's text, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
