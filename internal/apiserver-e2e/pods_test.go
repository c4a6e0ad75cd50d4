package apiservere2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/admission"
	"github.com/imagepull/imagepull/internal/apiserver-e2e/controlplane"
)

// policies are the four values a pod can ask for, "" meaning the field left out.
var policies = []corev1.PullPolicy{"", corev1.PullNever, corev1.PullIfNotPresent, corev1.PullAlways}

// podName names the test pod of a policy: "p-unset", "p-never", …
func podName(policy corev1.PullPolicy) string {
	if policy == "" {
		return "p-unset"
	}
	return "p-" + map[corev1.PullPolicy]string{
		corev1.PullNever: "never", corev1.PullIfNotPresent: "ifnotpresent", corev1.PullAlways: "always",
	}[policy]
}

// podWith returns a pod with every image-bearing field a pod can be created with (an init
// container, two containers, one on :latest, and an image volume), all with policy. Ephemeral
// containers can only be added later, through their subresource. The service-account token is
// not mounted, so that the API server adds no volume with a random name.
func podWith(name string, policy corev1.PullPolicy) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken: ptr(false),
			InitContainers:               []corev1.Container{{Name: "init", Image: "registry.example/init:1", ImagePullPolicy: policy}},
			Containers: []corev1.Container{
				{Name: "app", Image: "registry.example/app:1", ImagePullPolicy: policy},
				{Name: "sidecar", Image: "registry.example/sidecar:latest", ImagePullPolicy: policy},
			},
			Volumes: []corev1.Volume{{Name: "models", VolumeSource: corev1.VolumeSource{
				Image: &corev1.ImageVolumeSource{Reference: "registry.example/models:1", PullPolicy: policy},
			}}},
		},
	}
}

// storedPolicies lists every pull policy of a stored pod in the plugin's order (init
// containers, containers, ephemeral containers, image volumes).
func storedPolicies(p *corev1.Pod) []corev1.PullPolicy {
	var out []corev1.PullPolicy
	for f := range admission.ImageFields(&p.Spec) {
		out = append(out, *f.Policy)
	}
	return out
}

// repeat returns n copies of p.
func repeat(p corev1.PullPolicy, n int) []corev1.PullPolicy {
	return slices.Repeat([]corev1.PullPolicy{p}, n)
}

// namespace creates a namespace (with its default ServiceAccount) named after the test, with the
// label the test webhooks select when webhook is true.
func namespace(t *testing.T, api *controlplane.APIServer, name string, webhook bool) string {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, api.CreateNamespace(ctx, name))
	if webhook {
		ns, err := api.Client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		ns.Labels["imagepull.test/webhook"] = "on"
		_, err = api.Client.CoreV1().Namespaces().Update(ctx, ns, metav1.UpdateOptions{})
		require.NoError(t, err)
	}
	return name
}

// deploymentWith is a Deployment whose template asks for policy: not a pod, so neither the
// plugin nor the webhook touches it.
func deploymentWith(policy corev1.PullPolicy) *appsv1.Deployment {
	labels := map[string]string{"app": "d"}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "d"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1", ImagePullPolicy: policy}}},
			},
		},
	}
}

// eventually retries f every 200 ms for up to 30 s until it returns nil, and returns its last
// error. Webhook configurations reach the API server's dispatcher through an informer, so a
// change takes effect a moment after it is stored.
func eventually(ctx context.Context, f func() error) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		err := f()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}
