package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/imagepull/imagepull/admission/webhook"
)

// manifestsDir holds the deployment manifests of examples/webhook.
const manifestsDir = "../../examples/webhook"

// manifests decodes every YAML document of the files in dirs strictly (an unknown field is an
// error) into the Kubernetes type its kind names; kinds without a type here come back as maps.
func manifests(t *testing.T, dirs ...string) []any {
	t.Helper()
	var out []any
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(manifestsDir, dir, "*.yaml"))
		require.NoError(t, err)
		require.NotEmpty(t, files, dir)
		for _, file := range files {
			out = append(out, manifestsIn(t, file)...)
		}
	}
	return out
}

// manifestsIn decodes the documents of one file, in order, as manifests does.
func manifestsIn(t *testing.T, file string) []any {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var out []any
	dec := yaml.NewYAMLToJSONDecoder(f)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else {
			require.NoError(t, err, file)
		}
		out = append(out, decodeStrict(t, file, raw))
	}
	return out
}

// decodeStrict decodes one document into its kind's type.
func decodeStrict(t *testing.T, file string, raw []byte) any {
	t.Helper()
	var tm metav1.TypeMeta
	require.NoError(t, json.Unmarshal(raw, &tm), file)
	var obj any
	switch tm.APIVersion + "/" + tm.Kind {
	case "v1/Namespace":
		obj = &corev1.Namespace{}
	case "v1/Service":
		obj = &corev1.Service{}
	case "apps/v1/Deployment":
		obj = &appsv1.Deployment{}
	case "policy/v1/PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	case "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration":
		obj = &admissionregistrationv1.MutatingWebhookConfiguration{}
	case "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration":
		obj = &admissionregistrationv1.ValidatingWebhookConfiguration{}
	case "cert-manager.io/v1/Issuer", "cert-manager.io/v1/Certificate":
		obj = &map[string]any{}
	default:
		t.Fatalf("%s: unexpected kind %s %s", file, tm.APIVersion, tm.Kind)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(obj), file)
	return obj
}

// find returns the only object of type T among objs.
func find[T any](t *testing.T, objs []any) T {
	t.Helper()
	var found []T
	for _, o := range objs {
		if v, ok := o.(T); ok {
			found = append(found, v)
		}
	}
	require.Len(t, found, 1)
	return found[0]
}

func TestManifestsDeploy(t *testing.T) {
	objs := manifests(t, "deploy")
	ns := find[*corev1.Namespace](t, objs)
	d := find[*appsv1.Deployment](t, objs)
	svc := find[*corev1.Service](t, objs)
	pdb := find[*policyv1.PodDisruptionBudget](t, objs)

	assert.Equal(t, ns.Name, d.Namespace)
	assert.Equal(t, ns.Name, svc.Namespace)
	assert.Equal(t, ns.Name, pdb.Namespace)
	require.NotNil(t, d.Spec.Replicas)
	assert.Equal(t, int32(2), *d.Spec.Replicas)
	assert.Equal(t, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
	assert.Equal(t, d.Spec.Template.Labels, svc.Spec.Selector)
	assert.Equal(t, d.Spec.Selector, pdb.Spec.Selector)
	assert.Equal(t, intstr.FromInt32(1), *pdb.Spec.MinAvailable)

	require.Len(t, d.Spec.Template.Spec.Containers, 1)
	c := d.Spec.Template.Spec.Containers[0]
	require.NotEmpty(t, c.Args)
	assert.Equal(t, "webhook", c.Args[0])
	var cfg webhook.Config
	fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	require.NoError(t, fs.Parse(c.Args[1:]), "the Deployment passes flags the command has")
	assert.Equal(t, ":8443", cfg.Addr)
	require.Len(t, c.Ports, 1)
	assert.Equal(t, int32(8443), c.Ports[0].ContainerPort)
	assert.Equal(t, intstr.FromString(c.Ports[0].Name), svc.Spec.Ports[0].TargetPort)
	assert.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path)
	assert.Equal(t, corev1.URISchemeHTTPS, c.ReadinessProbe.HTTPGet.Scheme)
	assert.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path)

	require.Len(t, c.VolumeMounts, 1)
	dir := c.VolumeMounts[0].MountPath
	assert.Equal(t, filepath.Join(dir, "tls.crt"), cfg.TLSCertFile)
	assert.Equal(t, filepath.Join(dir, "tls.key"), cfg.TLSKeyFile)
	assert.Equal(t, "imagepull-webhook-tls", d.Spec.Template.Spec.Volumes[0].Secret.SecretName)

	// GOMEMLIMIT is the container's memory limit in bytes: the downward API writes
	// limits.memory divided by the divisor, and a bare number is bytes to the Go runtime.
	require.Len(t, c.Env, 1)
	env := c.Env[0]
	assert.Equal(t, "GOMEMLIMIT", env.Name)
	require.NotNil(t, env.ValueFrom)
	require.NotNil(t, env.ValueFrom.ResourceFieldRef)
	ref := env.ValueFrom.ResourceFieldRef
	assert.Equal(t, "limits.memory", ref.Resource)
	assert.Equal(t, c.Name, ref.ContainerName)
	assert.Equal(t, int64(1), ref.Divisor.Value(), "divisor 1: the value is in bytes")
	limit, ok := c.Resources.Limits[corev1.ResourceMemory]
	require.True(t, ok, "a memory limit for GOMEMLIMIT to follow")
	assert.GreaterOrEqual(t, limit.Value(), int64(256<<20), "room for two reviews of the largest size (BENCHMARKS.md)")
}

// TestManifestsDeployApplyOrder: kubectl applies a directory's files in name order (k8s.io/
// cli-runtime's pkg/resource/visitor.go, ExpandPathsToFileVisitors, walks it with filepath.Walk,
// which visits entries in lexical order), and each file's documents in order. In that order the
// Namespace comes before everything in it, so that `kubectl apply -f examples/webhook/deploy/`
// works on a fresh cluster.
func TestManifestsDeployApplyOrder(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(manifestsDir, "deploy", "*.yaml"))
	require.NoError(t, err)
	require.True(t, slices.IsSorted(files))
	created := map[string]bool{}
	for _, file := range files {
		for _, obj := range manifestsIn(t, file) {
			switch o := obj.(type) {
			case *corev1.Namespace:
				created[o.Name] = true
			case metav1.Object:
				assert.True(t, created[o.GetNamespace()], "%s: %T in namespace %q before the namespace", file, o, o.GetNamespace())
			}
		}
	}
}

func TestManifestsWebhooks(t *testing.T) {
	deploy := manifests(t, "deploy")
	svc := find[*corev1.Service](t, deploy)
	for _, variant := range []string{"manual-tls", "cert-manager"} {
		t.Run(variant, func(t *testing.T) {
			objs := manifests(t, variant)
			m := find[*admissionregistrationv1.MutatingWebhookConfiguration](t, objs)
			v := find[*admissionregistrationv1.ValidatingWebhookConfiguration](t, objs)
			require.Len(t, m.Webhooks, 1)
			require.Len(t, v.Webhooks, 1)
			type common struct {
				client       admissionregistrationv1.WebhookClientConfig
				rules        []admissionregistrationv1.RuleWithOperations
				failure      *admissionregistrationv1.FailurePolicyType
				side         *admissionregistrationv1.SideEffectClass
				versions     []string
				selector     *metav1.LabelSelector
				timeout      *int32
				wantPath     string
				wantCABundle bool
			}
			for _, w := range []common{
				{m.Webhooks[0].ClientConfig, m.Webhooks[0].Rules, m.Webhooks[0].FailurePolicy, m.Webhooks[0].SideEffects,
					m.Webhooks[0].AdmissionReviewVersions, m.Webhooks[0].NamespaceSelector, m.Webhooks[0].TimeoutSeconds, "/mutate", variant == "manual-tls"},
				{v.Webhooks[0].ClientConfig, v.Webhooks[0].Rules, v.Webhooks[0].FailurePolicy, v.Webhooks[0].SideEffects,
					v.Webhooks[0].AdmissionReviewVersions, v.Webhooks[0].NamespaceSelector, v.Webhooks[0].TimeoutSeconds, "/validate", variant == "manual-tls"},
			} {
				require.NotNil(t, w.client.Service)
				assert.Equal(t, svc.Name, w.client.Service.Name)
				assert.Equal(t, svc.Namespace, w.client.Service.Namespace)
				assert.Equal(t, w.wantPath, *w.client.Service.Path)
				assert.Equal(t, svc.Spec.Ports[0].Port, *w.client.Service.Port)
				assert.Equal(t, w.wantCABundle, w.client.CABundle != nil, "caBundle is set by hand or injected by cert-manager")
				assert.Equal(t, []admissionregistrationv1.RuleWithOperations{{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
					Rule: admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"},
						Scope: ptrTo(admissionregistrationv1.NamespacedScope)},
				}}, w.rules, "the plugin's operations on pods, no subresource")
				assert.Equal(t, admissionregistrationv1.Fail, *w.failure)
				assert.Equal(t, admissionregistrationv1.SideEffectClassNone, *w.side)
				assert.Equal(t, []string{"v1"}, w.versions)
				assert.LessOrEqual(t, *w.timeout, int32(10))
				require.NotNil(t, w.selector)
				require.Len(t, w.selector.MatchExpressions, 1)
				assert.Equal(t, metav1.LabelSelectorRequirement{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn,
					Values: []string{svc.Namespace, "kube-system"}}, w.selector.MatchExpressions[0], "its own namespace is excluded")
			}
			assert.Equal(t, admissionregistrationv1.IfNeededReinvocationPolicy, *m.Webhooks[0].ReinvocationPolicy)
			if variant == "cert-manager" {
				cert := findCertManager(t, objs, "Certificate")
				assert.Equal(t, svc.Namespace+"/"+cert["metadata"].(map[string]any)["name"].(string), m.Annotations["cert-manager.io/inject-ca-from"])
				assert.Equal(t, m.Annotations, v.Annotations)
				spec := cert["spec"].(map[string]any)
				assert.Equal(t, "imagepull-webhook-tls", spec["secretName"])
				assert.Contains(t, spec["dnsNames"], svc.Name+"."+svc.Namespace+".svc")
				issuer := findCertManager(t, objs, "Issuer")
				assert.Equal(t, issuer["metadata"].(map[string]any)["name"], spec["issuerRef"].(map[string]any)["name"])
			}
		})
	}
}

// findCertManager returns the only cert-manager object of kind.
func findCertManager(t *testing.T, objs []any, kind string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, o := range objs {
		if m, ok := o.(*map[string]any); ok && (*m)["kind"] == kind {
			found = append(found, *m)
		}
	}
	require.Len(t, found, 1)
	return found[0]
}

// ptrTo returns a pointer to v.
func ptrTo[T any](v T) *T { return &v }
