package apiservere2e

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/admission/webhook"
)

// TestValidatingWebhook registers only /validate: pods not Always everywhere are rejected with
// the plugin's message, after the API server's defaulting.
func TestValidatingWebhook(t *testing.T) {
	needControlPlane(t)
	ns := namespace(t, hookAPI, "validating", true)
	h := startHook(t, webhook.Config{})
	register(t, hookAPI, h, registration{validate: fail})
	pods := hookAPI.Client.CoreV1().Pods(ns)
	require.NoError(t, eventually(t.Context(), func() error {
		_, err := pods.Create(t.Context(), podWith("probe", corev1.PullNever), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil {
			return errors.New("not validating yet")
		}
		return nil
	}))

	const never = `: Unsupported value: "Never": supported values: "Always"`
	latest := podWith("v-latest", "")
	latest.Spec.InitContainers[0].Image = "registry.example/init:latest"
	latest.Spec.Containers[0].Image = "registry.example/app"
	latest.Spec.Volumes[0].Image.Reference = "registry.example/models:latest"
	tests := []struct {
		pod  *corev1.Pod
		want string // the error text, "" when the pod is admitted
	}{
		{podWith("v-never", corev1.PullNever), `admission webhook "validate.imagepull.test" denied the request: [` +
			`pods "v-never" is forbidden: spec.initContainers[0].imagePullPolicy` + never +
			`, pods "v-never" is forbidden: spec.containers[0].imagePullPolicy` + never +
			`, pods "v-never" is forbidden: spec.containers[1].imagePullPolicy` + never +
			`, pods "v-never" is forbidden: spec.volumes[0].image.pullPolicy` + never + `]`},
		// Defaulting ran first: a tag other than latest is IfNotPresent, latest is Always.
		{podWith("v-unset", ""), `admission webhook "validate.imagepull.test" denied the request: [` +
			`pods "v-unset" is forbidden: spec.initContainers[0].imagePullPolicy: Unsupported value: "IfNotPresent": supported values: "Always"` +
			`, pods "v-unset" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresent": supported values: "Always"` +
			`, pods "v-unset" is forbidden: spec.volumes[0].image.pullPolicy: Unsupported value: "IfNotPresent": supported values: "Always"]`},
		{latest, ""},
		{podWith("v-always", corev1.PullAlways), ""},
	}
	t.Run("2,000 containers, dry run", func(t *testing.T) {
		// The denial names 32 fields and counts the others, through the real API server; the
		// built-in plugin would name all 2,000 (README, parity notes).
		p := podWith("v-many", corev1.PullNever)
		p.Spec.InitContainers, p.Spec.Volumes = nil, nil
		p.Spec.Containers = make([]corev1.Container, 2000)
		for i := range p.Spec.Containers {
			p.Spec.Containers[i] = corev1.Container{Name: fmt.Sprintf("c%d", i), Image: "registry.example/app:1", ImagePullPolicy: corev1.PullNever}
		}
		_, err := pods.Create(t.Context(), p, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.Error(t, err)
		assert.True(t, apierrors.IsForbidden(err), "403 Forbidden: %v", err)
		assert.True(t, strings.HasSuffix(err.Error(), `pods "v-many" is forbidden: spec.containers[31].imagePullPolicy`+never+`, and 1968 more fields not "Always"]`), err.Error())
	})
	for _, tt := range tests {
		t.Run(tt.pod.Name, func(t *testing.T) {
			stored, err := pods.Create(t.Context(), tt.pod, metav1.CreateOptions{})
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, repeat(corev1.PullAlways, 4), storedPolicies(stored))
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.True(t, apierrors.IsForbidden(err), "403 Forbidden: %v", err)
		})
	}
}

// TestFailurePolicy stops the webhook: with failurePolicy Fail pods are refused, with Ignore they
// are stored as asked. A Never pod stored that way cannot later take a new image while the
// webhook runs again: setting Always on update is a change pod validation forbids.
func TestFailurePolicy(t *testing.T) {
	needControlPlane(t)
	ctx := t.Context()
	ns := namespace(t, hookAPI, "failure", true)
	first := startHook(t, webhook.Config{})
	name := register(t, hookAPI, first, registration{mutate: fail})
	waitMutating(t, hookAPI, ns)
	pods := hookAPI.Client.CoreV1().Pods(ns)
	configs := hookAPI.Client.AdmissionregistrationV1().MutatingWebhookConfigurations()

	first.Stop(t)
	_, err := pods.Create(ctx, podWith("down-fail", corev1.PullNever), metav1.CreateOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Internal error occurred: failed calling webhook "mutate.imagepull.test"`)
	var status apierrors.APIStatus
	require.ErrorAs(t, err, &status)
	assert.Equal(t, int32(http.StatusInternalServerError), status.Status().Code)

	update := func(change func(*admissionregistrationv1.MutatingWebhook)) {
		cfg, err := configs.Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		change(&cfg.Webhooks[0])
		_, err = configs.Update(ctx, cfg, metav1.UpdateOptions{})
		require.NoError(t, err)
	}
	update(func(w *admissionregistrationv1.MutatingWebhook) { w.FailurePolicy = ignore })
	var stored *corev1.Pod
	require.NoError(t, eventually(ctx, func() error {
		stored, err = pods.Create(ctx, podWith("down-ignore", corev1.PullNever), metav1.CreateOptions{})
		return err
	}))
	assert.Equal(t, repeat(corev1.PullNever, 4), storedPolicies(stored), "stored as asked while the webhook was down")

	second := startHook(t, webhook.Config{})
	update(func(w *admissionregistrationv1.MutatingWebhook) { w.ClientConfig = second.clientConfig("/mutate") })
	waitMutating(t, hookAPI, ns)

	p, err := pods.Get(ctx, "down-ignore", metav1.GetOptions{})
	require.NoError(t, err)
	p.Labels["tier"] = "web"
	p, err = pods.Update(ctx, p, metav1.UpdateOptions{})
	require.NoError(t, err, "an update without a new image is left alone")
	p.Spec.Containers[0].Image = "registry.example/app:2"
	_, err = pods.Update(ctx, p, metav1.UpdateOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Pod "down-ignore" is invalid: spec: Forbidden: pod updates may not change fields other than`)
	assert.Equal(t, []string{
		"mutate CREATE pods probe: patched",
		"mutate UPDATE pods down-ignore: skipped (update without a new image)",
		"mutate UPDATE pods down-ignore: patched",
	}, dedupe(second.decisions(t)))
}

// dedupe drops consecutive repeats (the probe may run more than once).
func dedupe(lines []string) []string {
	var out []string
	for _, l := range lines {
		if len(out) == 0 || out[len(out)-1] != l {
			out = append(out, l)
		}
	}
	return out
}
