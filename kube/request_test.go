package kube_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

// TestRequests turns the seed's private pod, and its Secret read from the same file, into
// the image manager's request.
func TestRequests(t *testing.T) {
	m, err := kube.ReadFile("testdata/seed-pods.yaml", kube.Options{})
	require.NoError(t, err)
	w := m.Workloads[3]
	pod := w.Pod()
	found, missing := kube.PullSecrets(pod.Namespace, pod.Spec.ImagePullSecrets, m.CoreSecrets())
	require.Empty(t, missing)
	reqs, err := kube.Requests(pod, kube.RequestOptions{PullSecrets: found})
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	secret := kube.CredentialSecret(&m.Secrets[0].Secret)
	assert.Equal(t, kubelet.Request{
		Pod:       kubelet.Pod{Namespace: "shop", Name: "private-app", UID: "7f1c0a52-3c1e-4d8b-9b0e-2d6f6c1a9e01"},
		Container: "app", Kind: kubelet.KindContainer,
		Image: "registry.example.com/shop/app:2.3.1", Policy: pullpolicy.Always,
		PullSecrets: []credential.Secret{secret},
	}, reqs[0])
	assert.Equal(t, "spec.containers{app}", reqs[0].FieldPath())
}

func TestRequestsKindsAndHandlers(t *testing.T) {
	m, err := kube.ReadFile("testdata/image-volumes.yaml", kube.Options{})
	require.NoError(t, err)
	pod := m.Workloads[0].Pod()
	pod.Annotations = map[string]string{"a": "b"}
	pod.Spec.ServiceAccountName = "ml-runner"
	reqs, err := kube.Requests(pod, kube.RequestOptions{})
	require.NoError(t, err)
	var got []string
	for _, r := range reqs {
		assert.Equal(t, kubelet.Pod{Namespace: "ml", Name: "model-server", ServiceAccount: "ml-runner", Annotations: map[string]string{"a": "b"}}, r.Pod)
		got = append(got, r.Kind.String()+" "+r.Container+" "+string(r.Policy)+" ["+r.FieldPath()+"]")
	}
	assert.Equal(t, []string{
		"InitContainer migrate IfNotPresent [spec.initContainers{migrate}]",
		"InitContainer proxy IfNotPresent [spec.initContainers{proxy}]",
		"Container server Always [spec.containers{server}]",
		"Container tools IfNotPresent [spec.containers{tools}]",
		"EphemeralContainer debug Always [spec.ephemeralContainers{debug}]",
		"ImageVolume model Always []",
		"ImageVolume weights Never []",
	}, got)

	class := "gvisor"
	pod.Spec.RuntimeClassName = &class
	reqs, err = kube.Requests(pod, kube.RequestOptions{})
	require.NoError(t, err)
	assert.Empty(t, reqs[0].RuntimeHandler, "RuntimeClassInImageCriAPI off: no handler")
	reqs, err = kube.Requests(pod, kube.RequestOptions{RuntimeHandlers: map[string]string{"gvisor": "runsc"}})
	require.NoError(t, err)
	assert.Equal(t, "runsc", reqs[6].RuntimeHandler)
	_, err = kube.Requests(pod, kube.RequestOptions{RuntimeHandlers: map[string]string{"kata": "kata"}})
	assert.EqualError(t, err, `pod ml/model-server: runtimeClassName "gvisor": RuntimeClass not found`)
}

func TestWorkloadPod(t *testing.T) {
	m, err := kube.ReadFile("testdata/cronjob.yaml", kube.Options{})
	require.NoError(t, err)
	pod := m.Workloads[0].Pod()
	assert.Equal(t, "Pod", pod.Kind)
	assert.Equal(t, "reports", pod.Namespace)
	assert.Equal(t, "nightly-report", pod.Name)
	assert.Equal(t, "report", pod.Spec.Containers[0].Name)
}
