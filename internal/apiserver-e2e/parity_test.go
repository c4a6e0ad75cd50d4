package apiservere2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/admission/webhook"
	"github.com/imagepull/imagepull/internal/apiserver-e2e/controlplane"
)

// TestAlwaysPullImages sends the same requests to an API server running the built-in
// AlwaysPullImages plugin and to one running only the webhook, checks each stored what the
// plugin's rules say, and that they stored the same pods.
func TestAlwaysPullImages(t *testing.T) {
	needControlPlane(t)
	const ns = "parity"
	h := startHook(t, webhook.Config{})
	register(t, hookAPI, h, registration{mutate: fail, validate: fail})
	namespace(t, hookAPI, ns, true)
	namespace(t, pluginAPI, ns, false)
	waitMutating(t, hookAPI, ns)

	results := map[string]result{}
	for _, s := range []struct {
		name string
		api  *controlplane.APIServer
	}{{"plugin", pluginAPI}, {"webhook", hookAPI}} {
		t.Run(s.name, func(t *testing.T) {
			res := scenario(t, s.api, ns)
			results[s.name] = res
			checkScenario(t, res)
		})
	}
	t.Run("webhook decisions", func(t *testing.T) {
		got := h.decisions(t)
		for _, want := range []string{
			"mutate CREATE pods p-never: patched",
			"mutate CREATE pods p-always: allowed",
			"validate CREATE pods p-never: allowed",
			"mutate UPDATE pods p-never: allowed", // the new image: nothing left to set
			"mutate UPDATE pods p-never: skipped (update without a new image)",
			"mutate UPDATE pods/ephemeralcontainers p-always: skipped (subresource)",
			"mutate UPDATE pods p-always: patched", // the new image: the Never ephemeral container
			"mutate UPDATE pods/ephemeralcontainers p-unset: skipped (subresource)",
			"mutate CREATE pods p-dry-run: patched",
		} {
			assert.Contains(t, got, want)
		}
	})
	t.Run("parity", func(t *testing.T) {
		plugin, hook := results["plugin"], results["webhook"]
		require.NotEmpty(t, plugin.pods)
		assert.Equal(t, plugin.steps, hook.steps)
		assert.Equal(t, plugin.template, hook.template)
		assert.Equal(t, plugin.dryRun, hook.dryRun)
		require.Equal(t, keys(plugin.pods), keys(hook.pods))
		for name, p := range plugin.pods {
			assert.Equal(t, p, hook.pods[name], "stored pod %s", name)
		}
	})
}

// checkScenario checks one server's result against the plugin's rules.
func checkScenario(t *testing.T, res result) {
	t.Helper()
	always := repeat(corev1.PullAlways, 4) // init, app, sidecar, image volume
	for _, policy := range []corev1.PullPolicy{corev1.PullNever, corev1.PullIfNotPresent} {
		assert.Equal(t, always, storedPolicies(ptr(res.pods[podName(policy)])), "created with %q", policy)
	}
	assert.Equal(t, always, storedPolicies(ptr(res.dryRun)), "dry-run create")

	never := res.pods["p-never"]
	assert.Equal(t, "registry.example/app:2", never.Spec.Containers[0].Image, "the new image was stored")
	assert.Equal(t, "registry.example/sidecar:latest", never.Spec.Containers[1].Image)
	assert.Equal(t, "web", never.Labels["tier"])

	// The ephemeral containers came through the subresource, which the plugin ignores.
	assert.Equal(t, []corev1.PullPolicy{corev1.PullAlways, corev1.PullAlways, corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullAlways},
		storedPolicies(ptr(res.pods["p-unset"])))
	assert.Equal(t, []corev1.PullPolicy{corev1.PullAlways, corev1.PullAlways, corev1.PullAlways, corev1.PullNever, corev1.PullAlways},
		storedPolicies(ptr(res.pods["p-always"])))
	// Updates without a new image went through; the one with a new image made the plugin set the
	// Never ephemeral container to Always, which pod validation forbids on an update.
	always2 := res.pods["p-always"]
	assert.Equal(t, "web", always2.Labels["tier"])
	assert.Equal(t, "registry.example/init:1", always2.Spec.Containers[0].Image)
	for name, text := range res.steps {
		if name == stepNewImageAfter {
			assert.Contains(t, text, `Pod "p-always" is invalid: spec: Forbidden: pod updates may not change fields other than`)
			continue
		}
		assert.Empty(t, text, name)
	}
	assert.Len(t, res.steps, 7)
	assert.Equal(t, corev1.PullNever, res.template.Containers[0].ImagePullPolicy, "a Deployment's template is not a pod")
}

// waitMutating waits until a dry-run create in ns comes back mutated: the webhook
// configuration has reached the API server's dispatcher.
func waitMutating(t *testing.T, api *controlplane.APIServer, ns string) {
	t.Helper()
	err := eventually(t.Context(), func() error {
		p, err := api.Client.CoreV1().Pods(ns).Create(t.Context(), podWith("probe", corev1.PullNever), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			return err
		}
		if got := p.Spec.Containers[0].ImagePullPolicy; got != corev1.PullAlways {
			return fmt.Errorf("not mutated yet: %s", got)
		}
		return nil
	})
	require.NoError(t, err)
}

// keys returns m's keys, sorted.
func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestExcludeNoNamespaceIsExactParity: with `--exclude-namespaces=` (parsed from the flag, as
// the command gets it) the webhook acts in kube-system too, and stores there exactly what the
// built-in plugin stores; with the default it leaves kube-system alone, which the plugin does
// not (README, parity notes).
func TestExcludeNoNamespaceIsExactParity(t *testing.T) {
	needControlPlane(t)
	const ns = "kube-system"
	var cfg webhook.Config
	fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	require.NoError(t, fs.Parse([]string{"--exclude-namespaces="}))
	require.Empty(t, cfg.ExcludeNamespaces)

	h := startHook(t, cfg)
	register(t, hookAPI, h, registration{mutate: fail, validate: fail})
	namespace(t, hookAPI, ns, true)
	t.Cleanup(func() { unlabel(t, hookAPI, ns) })
	namespace(t, pluginAPI, ns, false)
	waitMutating(t, hookAPI, ns)

	plugin := scenario(t, pluginAPI, ns)
	hook := scenario(t, hookAPI, ns)
	checkScenario(t, plugin)
	require.NotEmpty(t, plugin.pods)
	assert.Equal(t, plugin.steps, hook.steps)
	assert.Equal(t, plugin.dryRun, hook.dryRun)
	require.Equal(t, keys(plugin.pods), keys(hook.pods))
	for name, p := range plugin.pods {
		assert.Equal(t, p, hook.pods[name], "stored pod %s", name)
	}
	assert.Contains(t, h.decisions(t), "mutate CREATE pods p-never: patched")
}

// TestDefaultExcludesKubeSystem: by default the webhook allows kube-system's pods untouched
// (the built-in plugin would set Always), and says so in its log.
func TestDefaultExcludesKubeSystem(t *testing.T) {
	needControlPlane(t)
	const ns = "kube-system"
	h := startHook(t, webhook.Config{})
	register(t, hookAPI, h, registration{mutate: fail, validate: fail})
	namespace(t, hookAPI, ns, true)
	t.Cleanup(func() { unlabel(t, hookAPI, ns) })
	// Until the API server's dispatcher has the configuration, the request does not reach h.
	var p *corev1.Pod
	err := eventually(t.Context(), func() error {
		var err error
		p, err = hookAPI.Client.CoreV1().Pods(ns).Create(t.Context(), podWith("excluded", corev1.PullNever), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			return err
		}
		for _, want := range []string{"mutate", "validate"} {
			if !slices.Contains(h.decisions(t), want+" CREATE pods excluded: excluded (namespace kube-system)") {
				return errors.New(want + ": not sent to the webhook yet")
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, repeat(corev1.PullNever, 4), storedPolicies(p), "stored as sent")
}

// unlabel removes the label that sends ns's requests to the tests' webhooks.
func unlabel(t *testing.T, api *controlplane.APIServer, ns string) {
	ctx := context.WithoutCancel(t.Context())
	n, err := api.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	require.NoError(t, err)
	delete(n.Labels, "imagepull.test/webhook")
	_, err = api.Client.CoreV1().Namespaces().Update(ctx, n, metav1.UpdateOptions{})
	require.NoError(t, err)
}
