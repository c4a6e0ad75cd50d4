package kube_test

import (
	"fmt"
	"strings"

	"github.com/imagepull/imagepull/kube"
)

// Read a Helm-style multi-document manifest and print, for every image, where it is and the
// policy the kubelet will apply.
func ExampleRead() {
	manifest := `
---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
      - name: migrate
        image: registry.example.com/web/migrate:4.2
      containers:
      - name: web
        image: nginx
`
	m, err := kube.Read(strings.NewReader(manifest), kube.Options{File: "web.yaml"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range m.Workloads {
		for _, img := range w.Images() {
			fmt.Printf("%s/%s line %d %s %s: %s\n", w.Kind, w.Name, w.Line(img.Path), img.FieldPath, img.Image, img.Effective)
		}
	}
	for _, s := range m.Skipped {
		fmt.Printf("skipped %s/%s (%s): %s\n", s.Kind, s.Name, s.Source, s.Reason)
	}
	// Output:
	// Deployment/web line 19 spec.initContainers{migrate} registry.example.com/web/migrate:4.2: IfNotPresent
	// Deployment/web line 22 spec.containers{web} nginx: Always
	// skipped Service/web (web.yaml: document 1 (line 4)): kind has no pod template
}

// A malformed document is reported with its number and line; the others are still read.
func ExampleDocumentError() {
	manifest := "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: nginx:1.25}]}\n" +
		"---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n     image: nginx\n"
	m, err := kube.Read(strings.NewReader(manifest), kube.Options{File: "pods.yaml"})
	fmt.Println(err)
	fmt.Println(len(m.Workloads), "workload read")
	// Output:
	// pods.yaml: document 2 (line 11): malformed document: mapping values are not allowed in this context
	// 1 workload read
}

// Turn a pod and the Secrets at hand into the image manager's requests, as the kubelet
// would make them.
func ExampleRequests() {
	m, err := kube.Read(strings.NewReader(`apiVersion: v1
kind: Secret
metadata: {name: regcred, namespace: shop}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{"registry.example.com":{"username":"ci","password":"s3cret"}}}'
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, uid: 5b0c}
spec:
  imagePullSecrets: [{name: regcred}, {name: gone}]
  containers:
  - {name: api, image: "registry.example.com/shop/api:2.0"}
`), kube.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	pod := m.Workloads[0].Pod()
	secrets, missing := kube.PullSecrets(pod.Namespace, pod.Spec.ImagePullSecrets, m.CoreSecrets())
	if len(missing) > 0 {
		fmt.Println(kube.ReasonMissingPullSecrets + ": " + kube.MissingPullSecretsMessage(missing))
	}
	reqs, err := kube.Requests(pod, kube.RequestOptions{PullSecrets: secrets})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range reqs {
		fmt.Println(r.Pod.Namespace, r.Pod.Name, r.Pod.UID, r.FieldPath(), r.Image, r.Policy, len(r.PullSecrets), "secret")
	}
	// Output:
	// FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets (gone); attempting to pull the image may not succeed.
	// shop api 5b0c spec.containers{api} registry.example.com/shop/api:2.0 IfNotPresent 1 secret
}
