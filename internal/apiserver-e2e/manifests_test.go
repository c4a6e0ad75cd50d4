package apiservere2e

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

// TestManifestsOnAPIServer submits examples/webhook (the manual-TLS variant) to the real API
// server, so its own validation passes on every object. The webhook configurations are sent in
// dry-run mode: stored, they would send every other test's pods to a Service with no endpoints.
func TestManifestsOnAPIServer(t *testing.T) {
	needControlPlane(t)
	ctx := t.Context()
	var objs []runtime.Object
	for _, dir := range []string{"deploy", "manual-tls"} {
		files, err := filepath.Glob(filepath.Join("..", "..", "examples", "webhook", dir, "*.yaml"))
		require.NoError(t, err)
		for _, file := range files {
			f, err := os.Open(file)
			require.NoError(t, err)
			r := yaml.NewYAMLReader(bufio.NewReader(f))
			for {
				doc, err := r.Read()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(doc, nil, nil)
				require.NoError(t, err, file)
				objs = append(objs, obj)
			}
			require.NoError(t, f.Close())
		}
	}
	c := hookAPI.Client
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	kinds := map[string]int{}
	// The namespace first: the namespaced objects need it to exist.
	for _, o := range objs {
		if ns, ok := o.(*corev1.Namespace); ok {
			_, err := c.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
			require.NoError(t, err)
			kinds["Namespace"]++
		}
	}
	for _, o := range objs {
		var err error
		switch o := o.(type) {
		case *corev1.Namespace:
			continue
		case *appsv1.Deployment:
			_, err = c.AppsV1().Deployments(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *corev1.Service:
			_, err = c.CoreV1().Services(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *policyv1.PodDisruptionBudget:
			_, err = c.PolicyV1().PodDisruptionBudgets(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *admissionregistrationv1.MutatingWebhookConfiguration:
			_, err = c.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, o, dryRun)
		case *admissionregistrationv1.ValidatingWebhookConfiguration:
			_, err = c.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, o, dryRun)
		default:
			t.Fatalf("unexpected object %T", o)
		}
		require.NoError(t, err, "%T", o)
		kinds[o.GetObjectKind().GroupVersionKind().Kind]++
	}
	assert.Equal(t, map[string]int{
		"Namespace": 1, "Deployment": 1, "Service": 1, "PodDisruptionBudget": 1,
		"MutatingWebhookConfiguration": 1, "ValidatingWebhookConfiguration": 1,
	}, kinds)
}
