package kube_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/pullpolicy"
)

// img is the part of a kube.Image a table compares, with the line the image field is on.
type img struct {
	kind      kube.ContainerKind
	name      string
	fieldPath string
	path      string
	image     string
	policy    pullpolicy.Policy
	effective pullpolicy.Policy
	line      int
}

// obj is a workload as a table expects it.
type obj struct {
	src    kube.Source // without File
	kind   string
	ns     string
	name   string
	images []img
}

func images(w *kube.Workload) []img {
	var out []img
	for _, i := range w.Images() {
		out = append(out, img{i.Kind, i.Name, i.FieldPath, i.Path, i.Image, i.Policy, i.Effective, w.Line(i.Path)})
	}
	return out
}

func src(doc, line, item int) kube.Source { return kube.Source{Document: doc, Line: line, Item: item} }

func TestReadFile(t *testing.T) {
	const (
		A  = pullpolicy.Always
		I  = pullpolicy.IfNotPresent
		N  = pullpolicy.Never
		C  = kube.Container
		IC = kube.InitContainer
		SC = kube.SidecarContainer
		EC = kube.EphemeralContainer
		IV = kube.ImageVolume
	)
	tests := []struct {
		file      string
		workloads []obj
		skipped   []string // "Kind/name: reason"
		secrets   []string // "namespace/name"
		errors    []string // the Source and the cause, as Error() gives them after the file name
	}{
		{
			file: "seed-pods.yaml",
			workloads: []obj{
				{src(1, 2, -1), "Pod", "", "nginx-default", []img{{C, "nginx", "spec.containers{nginx}", "spec.containers[0].image", "nginx", "", A, 9}}},
				{src(2, 11, -1), "Pod", "", "nginx-pinned", []img{{C, "nginx", "spec.containers{nginx}", "spec.containers[0].image", "nginx:1.25", "", I, 18}}},
				{src(3, 20, -1), "Pod", "", "preloaded", []img{{C, "app", "spec.containers{app}", "spec.containers[0].image", "myapp:1.0", N, N, 27}}},
				{src(4, 30, -1), "Pod", "shop", "private-app", []img{{C, "app", "spec.containers{app}", "spec.containers[0].image", "registry.example.com/shop/app:2.3.1", A, A, 41}}},
			},
			secrets: []string{"shop/regcred"},
		},
		{
			file: "image-volumes.yaml",
			workloads: []obj{{src(1, 1, -1), "Pod", "ml", "model-server", []img{
				{IC, "migrate", "spec.initContainers{migrate}", "spec.initContainers[0].image", "ghcr.io/acme/migrate:v3", "", I, 9},
				{SC, "proxy", "spec.initContainers{proxy}", "spec.initContainers[1].image", "envoyproxy/envoy:v1.31.0", "", I, 11},
				{C, "server", "spec.containers{server}", "spec.containers[0].image", "ghcr.io/acme/server@sha256:4bf2e2c4a0a1b3b53dbe4e2a0ca6a2bd3f1c2b5e0d2a1b7c9e8f6a5d4c3b2a19", A, A, 15},
				{C, "tools", "spec.containers{tools}", "spec.containers[1].image", "busybox:latest", I, I, 21},
				{EC, "debug", "spec.ephemeralContainers{debug}", "spec.ephemeralContainers[0].image", "busybox", "", A, 25},
				{IV, "model", "", "spec.volumes[1].image.reference", "ghcr.io/acme/model:latest", "", A, 31},
				{IV, "weights", "", "spec.volumes[2].image.reference", "ghcr.io/acme/weights:2026-01", N, N, 34},
			}}},
		},
		{
			file: "cronjob.yaml",
			workloads: []obj{{src(1, 1, -1), "CronJob", "reports", "nightly-report", []img{
				{C, "report", "spec.containers{report}", "spec.jobTemplate.spec.template.spec.containers[0].image", "registry.internal:5000/reports/runner:1.4", I, I, 15},
			}}},
		},
		{
			file: "helm-rendered.yaml",
			workloads: []obj{
				{src(5, 33, -1), "Deployment", "", "shop-web", []img{
					{IC, "wait-db", "spec.initContainers{wait-db}", "spec.template.spec.initContainers[0].image", "busybox:1.36", I, I, 57},
					{C, "web", "spec.containers{web}", "spec.template.spec.containers[0].image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:4.2.0", I, I, 61},
					{C, "metrics", "spec.containers{metrics}", "spec.template.spec.containers[1].image", "prom/statsd-exporter:latest", "", A, 67},
				}},
				{src(6, 70, -1), "StatefulSet", "", "shop-db", []img{
					{C, "postgres", "spec.containers{postgres}", "spec.template.spec.containers[0].image", "postgres:16.4@sha256:1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d", "", I, 86},
				}},
				{src(7, 89, -1), "DaemonSet", "", "shop-agent", []img{
					{C, "agent", "spec.containers{agent}", "spec.template.spec.containers[0].image", "quay.io/shop/agent", N, N, 104},
				}},
				{src(8, 108, -1), "Job", "", "shop-test-connection", []img{
					{C, "wget", "spec.containers{wget}", "spec.template.spec.containers[0].image", "busybox", "", A, 120},
				}},
			},
			skipped: []string{"ServiceAccount/shop: kind has no pod template", "ConfigMap/shop-config: kind has no pod template", "Service/shop: kind has no pod template"},
		},
		{
			file: "list.yaml",
			workloads: []obj{
				{src(1, 6, 0), "ReplicaSet", "default", "web-5d8f7c", []img{{C, "web", "spec.containers{web}", "spec.template.spec.containers[0].image", "nginx:1.27", I, I, 22}}},
				{src(1, 28, 2), "ReplicationController", "", "legacy", []img{{C, "legacy", "spec.containers{legacy}", "spec.template.spec.containers[0].image", "k8s.gcr.io/legacy:0.1", "", I, 37}}},
				{src(1, 38, 3), "PodTemplate", "", "tmpl", []img{{C, "main", "spec.containers{main}", "template.spec.containers[0].image", "alpine:3.20", "", I, 46}}},
			},
			skipped: []string{"Service/web: kind has no pod template"},
		},
		{
			file: "pods.json",
			workloads: []obj{
				{src(1, 1, -1), "Pod", "default", "json-pod", []img{
					{C, "app", "spec.containers{app}", "spec.containers[0].image", "example.com/team/app:1.0", "", I, 7},
					{C, "side", "spec.containers{side}", "spec.containers[1].image", "redis", I, I, 8},
				}},
				{src(3, 13, -1), "Job", "", "once", []img{
					{C, "run", "spec.containers{run}", "spec.template.spec.containers[0].image", "alpine@sha256:1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d", "", I, 14},
				}},
			},
			skipped: []string{"Service/svc: kind has no pod template"},
		},
		{
			file: "malformed.yaml",
			workloads: []obj{
				{src(1, 1, -1), "Pod", "", "good-before", []img{{C, "app", "spec.containers{app}", "spec.containers[0].image", "nginx:1.25", "", I, 8}}},
				{src(6, 35, -1), "Pod", "", "good-after", []img{{C, "app", "spec.containers{app}", "spec.containers[0].image", "nginx:1.26", "", I, 42}}},
			},
			errors: []string{
				"document 2 (line 17): malformed document: mapping values are not allowed in this context",
				`document 3 (line 19): malformed document: object has no "kind"`,
				"document 4 (line 29): malformed document: spec.template.spec.containers: cannot use a JSON string as []v1.Container",
				"document 5 (line 32): malformed document: not a Kubernetes object: a YAML sequence",
			},
		},
		{
			file:    "secrets.yaml",
			secrets: []string{"shop/json-cred", "shop/legacy-cred", "shop/opaque"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			m, err := kube.ReadFile("testdata/"+tc.file, kube.Options{})
			var gotErrs []string
			for _, e := range m.Errors {
				gotErrs = append(gotErrs, strings.TrimPrefix(e.Error(), "testdata/"+tc.file+": "))
				assert.ErrorIs(t, e, kube.ErrMalformed)
			}
			assert.Equal(t, tc.errors, gotErrs)
			if tc.errors == nil {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
			var got []obj
			for _, w := range m.Workloads {
				assert.Equal(t, "testdata/"+tc.file, w.Source.File)
				s := w.Source
				s.File = ""
				got = append(got, obj{s, w.Kind, w.Namespace, w.Name, images(w)})
			}
			assert.Equal(t, tc.workloads, got)
			assert.Equal(t, tc.skipped, skippedOf(m))
			var secrets []string
			for _, s := range m.Secrets {
				secrets = append(secrets, s.Namespace+"/"+s.Name)
			}
			assert.Equal(t, tc.secrets, secrets)
		})
	}
}

// skippedOf lists the skipped objects as "Kind/name: reason".
func skippedOf(m *kube.Manifest) []string {
	var out []string
	for _, s := range m.Skipped {
		out = append(out, s.Kind+"/"+s.Name+": "+s.Reason)
	}
	return out
}
