package apiservere2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/restmapper"

	"github.com/imagepull/imagepull/internal/apiserver-e2e/controlplane"
)

// repoRoot is the repository's root, where the README's commands run.
const repoRoot = "../.."

// deployDir is the directory the README applies: `kubectl apply -f examples/webhook/deploy/`.
const deployDir = "examples/webhook/deploy/"

// TestManifestsOnAPIServer runs the README's `kubectl apply -f examples/webhook/deploy/` on an
// API server that has never seen the manifests (a fresh cluster: no imagepull-system namespace)
// and checks that one apply creates everything; then submits the webhook configurations of
// examples/webhook/manual-tls, in dry-run mode: stored, they would send every other test's pods
// to a Service with no endpoints.
//
// CI has no kubectl, so the apply is reproduced with client-go in kubectl's order: the
// directory's files sorted by name (k8s.io/cli-runtime, pkg/resource/visitor.go,
// ExpandPathsToFileVisitors, walks the directory with filepath.Walk, which visits entries in
// lexical order, keeping the .json, .yaml and .yml files), each file's documents in order, each
// object created when missing (what `kubectl apply` does with an object that does not exist).
// When a kubectl is on PATH, the command itself also runs, unchanged, on the other API server.
func TestManifestsOnAPIServer(t *testing.T) {
	needControlPlane(t)
	t.Run("kubectl's order, with client-go", func(t *testing.T) {
		applied := applyLikeKubectl(t, hookAPI, deployDir)
		assert.Equal(t, []string{
			"Namespace imagepull-system", "Deployment imagepull-system/imagepull-webhook",
			"Service imagepull-system/imagepull-webhook", "PodDisruptionBudget imagepull-system/imagepull-webhook",
		}, applied)
		checkDeployed(t, hookAPI)
	})
	t.Run("kubectl apply -f "+deployDir, func(t *testing.T) {
		kubectl, err := exec.LookPath("kubectl")
		if err != nil {
			t.Skip("no kubectl on PATH: the client-go reproduction above is the check")
		}
		kubeconfig := writeKubeconfig(t, pluginAPI)
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, kubectl, "apply", "-f", deployDir) // the README's command
		cmd.Dir = repoRoot
		cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), "namespace/imagepull-system created")
		assert.Contains(t, string(out), "deployment.apps/imagepull-webhook created")
		checkDeployed(t, pluginAPI)
	})
	t.Run("manual-tls webhooks, dry run", func(t *testing.T) {
		c := hookAPI.Client
		dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
		var kinds []string
		for _, o := range decodeDir(t, "examples/webhook/manual-tls") {
			var err error
			switch o := o.(type) {
			case *admissionregistrationv1.MutatingWebhookConfiguration:
				_, err = c.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(t.Context(), o, dryRun)
			case *admissionregistrationv1.ValidatingWebhookConfiguration:
				_, err = c.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(t.Context(), o, dryRun)
			default:
				t.Fatalf("unexpected object %T", o)
			}
			require.NoError(t, err, "%T", o)
			kinds = append(kinds, o.GetObjectKind().GroupVersionKind().Kind)
		}
		assert.Equal(t, []string{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}, kinds)
	})
}

// kubectlExtensions are the files kubectl reads from a directory (cli-runtime's
// resource.FileExtensions).
var kubectlExtensions = []string{".json", ".yaml", ".yml"}

// applyLikeKubectl creates the objects of dir's files in kubectl's order (see
// TestManifestsOnAPIServer), going on past errors as kubectl does, and fails the test with every
// error at the end. It returns "Kind namespace/name" of each object created, in order.
func applyLikeKubectl(t *testing.T, api *controlplane.APIServer, dir string) []string {
	t.Helper()
	ctx := t.Context()
	groups, err := restmapper.GetAPIGroupResources(api.Client.Discovery())
	require.NoError(t, err)
	mapper := restmapper.NewDiscoveryRESTMapper(groups)
	dyn, err := dynamic.NewForConfig(api.Config)
	require.NoError(t, err)

	entries, err := os.ReadDir(filepath.Join(repoRoot, dir)) // sorted by file name
	require.NoError(t, err)
	var applied []string
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !slices.Contains(kubectlExtensions, filepath.Ext(e.Name())) {
			continue
		}
		for _, doc := range documents(t, filepath.Join(repoRoot, dir, e.Name())) {
			obj := &unstructured.Unstructured{}
			require.NoError(t, yaml.Unmarshal(doc, &obj.Object), e.Name())
			gvk := obj.GroupVersionKind()
			m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			require.NoError(t, err, e.Name())
			_, err = dyn.Resource(m.Resource).Namespace(obj.GetNamespace()).Create(ctx, obj, metav1.CreateOptions{})
			if err != nil {
				errs = append(errs, errors.New(e.Name()+": "+err.Error()))
				continue
			}
			name := obj.GetName()
			if obj.GetNamespace() != "" {
				name = obj.GetNamespace() + "/" + name
			}
			applied = append(applied, gvk.Kind+" "+name)
		}
	}
	require.NoError(t, errors.Join(errs...), "kubectl apply -f %s would fail", dir)
	return applied
}

// checkDeployed checks that api stores the objects of examples/webhook/deploy.
func checkDeployed(t *testing.T, api *controlplane.APIServer) {
	t.Helper()
	ctx := t.Context()
	const ns, name = "imagepull-system", "imagepull-webhook"
	_, err := api.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	require.NoError(t, err)
	d, err := api.Client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	require.NoError(t, err)
	require.Len(t, d.Spec.Template.Spec.Containers, 1)
	require.Len(t, d.Spec.Template.Spec.Containers[0].Env, 1)
	assert.Equal(t, "GOMEMLIMIT", d.Spec.Template.Spec.Containers[0].Env[0].Name)
	_, err = api.Client.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	require.NoError(t, err)
	_, err = api.Client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, name, metav1.GetOptions{})
	require.NoError(t, err)
}

// documents returns the non-empty YAML documents of file, in order.
func documents(t *testing.T, file string) [][]byte {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var out [][]byte
	r := yaml.NewYAMLReader(bufio.NewReader(f))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err, file)
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			out = append(out, doc)
		}
	}
}

// stripComments drops the comment lines of a YAML document, to tell an empty one.
func stripComments(doc []byte) []byte {
	var out []byte
	for line := range bytes.Lines(doc) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line...)
		}
	}
	return out
}

// decodeDir decodes the typed objects of dir's files, in kubectl's order.
func decodeDir(t *testing.T, dir string) []runtime.Object {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(repoRoot, dir))
	require.NoError(t, err)
	var out []runtime.Object
	for _, e := range entries {
		if e.IsDir() || !slices.Contains(kubectlExtensions, filepath.Ext(e.Name())) {
			continue
		}
		for _, doc := range documents(t, filepath.Join(repoRoot, dir, e.Name())) {
			obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(doc, nil, nil)
			require.NoError(t, err, e.Name())
			out = append(out, obj)
		}
	}
	return out
}

// writeKubeconfig writes a kubeconfig for api's administrator token and returns its path.
func writeKubeconfig(t testing.TB, api *controlplane.APIServer) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := `apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: ` + api.URL + `
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: ` + api.Config.BearerToken + `
contexts:
- name: e2e
  context: {cluster: e2e, user: admin}
current-context: e2e
`
	require.NoError(t, os.WriteFile(file, []byte(cfg), 0o600))
	return file
}
