// Package manifestgen writes realistic Kubernetes manifests in bulk, for benchmarks of the
// readers and the linter: each one is a Helm-style file with a Service and a workload whose
// pod template carries probes, resources, environment and two or three images, with the
// pull policies and image forms varying from file to file.
package manifestgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// kinds cycles through the workload kinds, weighted as real repositories hold them.
var kinds = [...]string{"Deployment", "Deployment", "Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job"}

// images cycles through image forms: registries public and private, tags fixed and
// mutable, digests.
var images = [...]string{
	"nginx:1.27.%d",
	"registry.example.com/team%d/api:2.4.1",
	"ghcr.io/acme/worker%d",
	"busybox:latest",
	"quay.io/org/app%d@sha256:4bf2e2c4a0a1b3b53dbe4e2a0ca6a2bd3f1c2b5e0d2a1b7c9e8f6a5d4c3b2a19",
	"123456789012.dkr.ecr.eu-west-1.amazonaws.com/svc%d:v7",
}

var policies = [...]string{"", "IfNotPresent", "", "Always", "", "Never"}

// Manifest returns the i-th manifest.
func Manifest(i int) []byte {
	var b strings.Builder
	kind := kinds[i%len(kinds)]
	name := fmt.Sprintf("app-%d", i)
	fmt.Fprintf(&b, `---
# Source: chart-%[1]d/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: %[2]s
  labels:
    app.kubernetes.io/name: %[2]s
spec:
  ports:
    - port: 80
      targetPort: http
      protocol: TCP
  selector:
    app.kubernetes.io/name: %[2]s
---
# Source: chart-%[1]d/templates/workload.yaml
`, i, name)
	apiVersion := "apps/v1"
	if kind == "CronJob" || kind == "Job" {
		apiVersion = "batch/v1"
	}
	fmt.Fprintf(&b, "apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n  namespace: team-%d\n  labels:\n    app.kubernetes.io/name: %s\n    app.kubernetes.io/version: \"1.%d.0\"\nspec:\n",
		apiVersion, kind, name, i%20, name, i%9)
	indent := "  "
	switch kind {
	case "CronJob":
		b.WriteString("  schedule: \"*/15 * * * *\"\n  jobTemplate:\n    spec:\n")
		indent = "      "
	case "Job":
		b.WriteString("  backoffLimit: 2\n")
	default:
		b.WriteString("  selector:\n    matchLabels:\n      app.kubernetes.io/name: " + name + "\n")
		if kind == "Deployment" {
			b.WriteString("  replicas: 3\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}\n")
		}
		if kind == "StatefulSet" {
			b.WriteString("  serviceName: " + name + "\n")
		}
	}
	t := func(s string) { b.WriteString(indent + s + "\n") }
	t("template:")
	t("  metadata:")
	t("    labels:")
	t("      app.kubernetes.io/name: " + name)
	t("    annotations:")
	t(fmt.Sprintf("      checksum/config: \"%08x\"", i*2654435761))
	t("  spec:")
	if kind == "CronJob" || kind == "Job" {
		t("    restartPolicy: OnFailure")
	}
	if i%4 == 1 {
		t("    imagePullSecrets:")
		t("      - name: regcred")
	}
	t("    serviceAccountName: " + name)
	t("    securityContext: {runAsNonRoot: true, fsGroup: 2000}")
	if i%3 == 0 {
		t("    initContainers:")
		container(t, "init", i+1, "      ")
	}
	t("    containers:")
	container(t, "main", i, "      ")
	container(t, "sidecar", i+2, "      ")
	return []byte(b.String())
}

func container(t func(string), name string, i int, in string) {
	image := images[i%len(images)]
	if strings.Contains(image, "%d") {
		image = fmt.Sprintf(image, i%97)
	}
	t(in + "- name: " + name)
	t(in + "  image: \"" + image + "\"")
	if p := policies[(i/len(images))%len(policies)]; p != "" {
		t(in + "  imagePullPolicy: " + p)
	}
	t(in + "  args: [\"--port=8080\", \"--log-level=info\"]")
	t(in + "  ports:")
	t(in + "    - {name: http, containerPort: 8080, protocol: TCP}")
	t(in + "  env:")
	t(in + "    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}")
	t(in + "    - {name: LOG_FORMAT, value: json}")
	t(in + "  resources:")
	t(in + "    requests: {cpu: 100m, memory: 128Mi}")
	t(in + "    limits: {memory: 256Mi}")
	t(in + "  readinessProbe:")
	t(in + "    httpGet: {path: /healthz, port: http}")
	t(in + "    periodSeconds: 10")
	t(in + "  volumeMounts:")
	t(in + "    - {name: tmp, mountPath: /tmp}")
}

// WriteDir writes manifests 0…n-1 into dir as manifest-NNNNN.yaml and returns their paths.
func WriteDir(dir string, n int) ([]string, error) {
	paths := make([]string, n)
	for i := range n {
		paths[i] = filepath.Join(dir, fmt.Sprintf("manifest-%05d.yaml", i))
		if err := os.WriteFile(paths[i], Manifest(i), 0o644); err != nil {
			return nil, err
		}
	}
	return paths, nil
}
