package apiservere2e

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"

	"github.com/imagepull/imagepull/kube"
)

// TestYAMLAsKubectlSendsIt proves on the API server what `imagepull lint` says of two
// manifests (issue 21, item 5). A label written `enabled: yes`, read as kubectl reads it
// (k8s.io/apimachinery's YAML decoder into an unstructured object, sigs.k8s.io/yaml on YAML 1.1),
// is the boolean true, and the API server rejects the object, as kube.Read reports; quoted, it
// is stored. An extensions/v1beta1 Deployment is not served (lint's IP011): discovery has no
// such kind, which kubectl reports as "no matches for kind".
func TestYAMLAsKubectlSendsIt(t *testing.T) {
	needControlPlane(t)
	ctx := t.Context()
	dyn, err := dynamic.NewForConfig(hookAPI.Config)
	require.NoError(t, err)
	ns := namespace(t, hookAPI, "yaml11", false)
	pods := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "pods"}).Namespace(ns)
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}

	file := filepath.Join(repoRoot, "cmd/imagepull/testdata/lint/yes-label.yaml")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		doc    []byte
		stored bool
	}{
		{"enabled: yes", data, false},
		{`enabled: "yes"`, []byte(replaceOnce(t, string(data), "enabled: yes", `enabled: "yes"`)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := &unstructured.Unstructured{}
			require.NoError(t, yaml.Unmarshal(tc.doc, &obj.Object)) // kubectl's reading
			_, err := pods.Create(ctx, obj, dryRun)
			_, readErr := kube.Read(bytesReader(tc.doc), kube.Options{})
			if tc.stored {
				require.NoError(t, err)
				assert.NoError(t, readErr)
				return
			}
			assert.Equal(t, true, obj.Object["metadata"].(map[string]any)["labels"].(map[string]any)["enabled"], "kubectl reads yes as true")
			require.Error(t, err, "the API server rejects a boolean label value")
			assert.True(t, apierrors.IsBadRequest(err), "%v", err)
			t.Logf("the API server: %v", err)
			require.Error(t, readErr, "kube.Read reports what the API server does")
			assert.Contains(t, readErr.Error(), "the API server rejects a boolean where it wants a string")
		})
	}

	groups, err := restmapper.GetAPIGroupResources(hookAPI.Client.Discovery())
	require.NoError(t, err)
	mapper := restmapper.NewDiscoveryRESTMapper(groups)
	_, err = mapper.RESTMapping(schema.GroupKind{Group: "extensions", Kind: "Deployment"}, "v1beta1")
	require.Error(t, err)
	t.Logf("extensions/v1beta1 Deployment: %v", err)
	for _, gv := range []string{"apps/v1beta1", "apps/v1beta2", "batch/v1beta1"} {
		_, err := hookAPI.Client.Discovery().ServerResourcesForGroupVersion(gv)
		assert.True(t, apierrors.IsNotFound(err), "%s is not served: %v", gv, err)
	}
	_, err = mapper.RESTMapping(schema.GroupKind{Group: "batch", Kind: "CronJob"}, "v1")
	assert.NoError(t, err, "batch/v1 CronJob is served")
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	i := strings.Index(s, old)
	require.GreaterOrEqual(t, i, 0, "%q not in the file", old)
	return s[:i] + new + s[i+len(old):]
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
