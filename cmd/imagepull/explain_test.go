package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// manifestInputs are the realistic manifests the golden tests read: the test corpus and the
// README's example.
var manifestInputs = []string{"-f", "testdata/manifests", "-f", "../../examples/manifests"}

// TestExplainGolden explains every image of the manifests on three nodes: one without
// images, one holding some of them, and as JSON. Some decisions fail (Never, an invalid
// name): exit code 1, as the README says.
func TestExplainGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"explain", nil},
		{"explain-present", []string{"--present", "nginx:1.25.3,busybox,redis:latest,fluent/fluent-bit:3.0,registry.example.com/team/app:v2"}},
		{"explain.json", []string{"-o", "json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, append(append([]string{"explain"}, manifestInputs...), tc.args...)...)
			require.Equal(t, exitFailure, res.code, res.stderr)
			assert.Empty(t, res.stderr)
			golden(t, tc.name, res.stdout)
		})
	}
}

func TestExplainStdin(t *testing.T) {
	data, err := os.ReadFile("../../examples/manifests/shop.yaml")
	require.NoError(t, err)
	fromFile := run(t, "explain", "-f", "../../examples/manifests/shop.yaml")
	fromStdin := runWith(t, string(data), "explain", "-f", "-")
	require.Equal(t, exitFailure, fromStdin.code, fromStdin.stderr)
	assert.Equal(t, strings.ReplaceAll(fromFile.stdout, "../../examples/manifests/shop.yaml:", "-:"), fromStdin.stdout)
}

// TestMalformed: explain and lint report what they could read, then one line per malformed
// document (file, document, line), and exit with 2.
func TestMalformed(t *testing.T) {
	for _, cmd := range []string{"explain", "lint"} {
		t.Run(cmd, func(t *testing.T) {
			res := run(t, cmd, "-f", "testdata/malformed/mixed.yaml")
			assert.Equal(t, exitUsage, res.code)
			assert.Contains(t, res.stdout, "nginx:1.25.3", "the good document is still read")
			// The lines are kube's: where the YAML parser stopped, or the document's start.
			assert.Equal(t, cmd+": testdata/malformed/mixed.yaml: document 2 (line 9): malformed document: did not find expected ',' or ']'\n"+
				cmd+": testdata/malformed/mixed.yaml: document 3 (line 12): malformed document: spec.containers: cannot use a JSON number as []v1.Container\n",
				strings.ReplaceAll(res.stderr, "imagepull ", ""))
		})
	}
}

// writeNodeRecords has the image manager pull, into a records directory, the images of
// testdata/records/pods.yaml as the node's kubelet did: registry.example.com/team/app:v2 with
// the Secret shop/team-pull (its content as in the manifest), and nginx:1.25.3 anonymously.
// The store is what --present builds from the same names, so the image IDs agree.
func writeNodeRecords(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "image_manager")
	records, err := cache.NewFileRecords(dir)
	require.NoError(t, err)
	store := cache.NewStore()
	puller := kubelet.PullerFunc(func(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
		if err := store.Add(pullpolicy.LocalImage{RepoTags: []string{req.Image}}); err != nil {
			return kubelet.PullResult{}, err
		}
		local, _, err := store.Lookup(ctx, reference.MustParse(req.Image))
		if err != nil {
			return kubelet.PullResult{}, err
		}
		res := kubelet.PullResult{ImageRef: local.ID}
		if len(req.Credentials) > 0 {
			res.Credential = &req.Credentials[0]
		}
		return res, nil
	})
	m, err := kubelet.NewImageManager(kubelet.Config{Store: store, Puller: puller, Records: records})
	require.NoError(t, err)
	secret := pullSecret(t, "shop", "team-pull", "", "registry.example.com", "team", "s3cret")
	for _, req := range []kubelet.Request{
		{Pod: kubelet.Pod{Namespace: "shop", Name: "first", UID: "1"}, Container: "app", Image: "registry.example.com/team/app:v2",
			PullSecrets: []credential.Secret{secret}},
		{Pod: kubelet.Pod{Namespace: "web", Name: "first", UID: "2"}, Container: "nginx", Image: "nginx:1.25.3"},
	} {
		_, err := m.EnsureImageExists(t.Context(), req)
		require.NoError(t, err)
	}
	require.NoError(t, records.Close()) // a clean stop: no intent left
	return dir
}

// TestExplainRecords: with the node's pull records, a pod with the Secret that pulled an
// image may use it; a pod without must pull it (or, under Never, cannot start); an image
// pulled without credentials, or preloaded, is for every pod. The records are only read.
func TestExplainRecords(t *testing.T) {
	dir := writeNodeRecords(t)
	before := treeOf(t, dir)
	present := "registry.example.com/team/app:v2,nginx:1.25.3,busybox:1.36"
	for _, format := range []string{"text", "json"} {
		res := run(t, "explain", "-f", "testdata/records/pods.yaml", "--present", present, "--records", dir, "-o", format)
		require.Equal(t, exitFailure, res.code, res.stderr)
		assert.Empty(t, res.stderr)
		golden(t, "explain-records."+format, placeholders{{dir, "RECORDS"}}.apply(res.stdout))
	}
	// Without the records, every present image is taken for preloaded: every pod may use it.
	res := run(t, "explain", "-f", "testdata/records/pods.yaml", "--present", present)
	require.Equal(t, exitOK, res.code, "every image can start: %s", res.stderr)
	assert.Equal(t, 6, strings.Count(res.stdout, "already present on machine and can be accessed by the pod"))
	assert.Equal(t, before, treeOf(t, dir), "explain changed nothing in the records directory")
}

// registryManifest writes a manifest of pods using images of the loopback registry at host.
func registryManifest(t *testing.T, host string) string {
	t.Helper()
	pod := func(name, image, policy, secret string) string {
		s := fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: reg\nspec:\n", name)
		if secret != "" {
			s += "  imagePullSecrets:\n    - name: " + secret + "\n"
		}
		return s + fmt.Sprintf("  containers:\n    - name: app\n      image: %s\n      imagePullPolicy: %s\n", image, policy)
	}
	auth := `{"auths":{"` + host + `":{"auth":"YWxpY2U6czNjcmV0"}}}` // alice:s3cret
	docs := []string{
		"apiVersion: v1\nkind: Secret\nmetadata:\n  name: alice\n  namespace: reg\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '" + auth + "'\n",
		pod("on-node", host+"/team/app:v1", "Always", ""),
		pod("not-on-node", host+"/team/app:v2", "Always", ""),
		pod("unknown-tag", host+"/team/app:v9", "Always", ""),
		pod("private-with-secret", host+"/private/app:v1", "Always", "alice"),
		pod("private-without-secret", host+"/private/app:v1", "Always", ""),
		pod("ifnotpresent", host+"/team/app:v2", "IfNotPresent", ""),
	}
	path := filepath.Join(t.TempDir(), "registry.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(docs, "---\n")), 0o600))
	return path
}

// TestExplainRegistry explains pods against the loopback registry: under Always the digest is
// asked for with the pod's own Secret, an image on the node with that digest is used, others
// are pulled by digest, and registry errors are the kubelet's Failed events.
func TestExplainRegistry(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	ctx := t.Context()
	v1, err := reg.PushRandom(ctx, "team/app:v1")
	require.NoError(t, err)
	v2, err := reg.PushRandom(ctx, "team/app:v2")
	require.NoError(t, err)
	private, err := reg.PushRandom(ctx, "private/app:v1")
	require.NoError(t, err)
	reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "alice", Password: "s3cret", PathPrefix: "/v2/private/"})
	host := reg.Host()
	manifest := registryManifest(t, host)
	ph := placeholders{{manifest, "MANIFEST"}, {host, "REGISTRY"}, {v1.String(), "DIGEST-V1"}, {v2.String(), "DIGEST-V2"}, {private.String(), "DIGEST-PRIVATE"}}

	res := run(t, "explain", "-f", manifest, "--registry", "--plain-http", "127.0.0.1", "--present", host+"/team/app@"+v1.String())
	require.Equal(t, exitFailure, res.code, res.stderr)
	assert.Empty(t, res.stderr)
	golden(t, "explain-registry", ph.apply(res.stdout))
	assert.Equal(t, 1, reg.Count("HEAD", "/v2/team/app/manifests/v2"), "one registry call for two pods of one image (a cache)")
	assert.Zero(t, reg.Count("GET", "/v2/team/app/manifests/"), "a HEAD is enough")
}

// TestExplainJSONShape checks the JSON fields a script relies on.
func TestExplainJSONShape(t *testing.T) {
	res := run(t, "explain", "-f", "testdata/manifests/seed-pods.yaml", "-o", "json")
	require.Equal(t, exitFailure, res.code, res.stderr)
	var out struct {
		Workloads []struct {
			Kind, Name string
			Images     []struct {
				ContainerKind, Image, Effective, Action, Path, FieldPath, Why string
				Events                                                        []eventJSON
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &out))
	require.Len(t, out.Workloads, 3)
	assert.Equal(t, "Pod", out.Workloads[2].Kind)
	assert.Equal(t, "cached-only", out.Workloads[2].Name)
	img := out.Workloads[2].Images[0]
	assert.Equal(t, "container", img.ContainerKind)
	assert.Equal(t, "registry.example.com/team/app:v2", img.Image)
	assert.Equal(t, "Never", img.Effective)
	assert.Equal(t, "set explicitly", img.Why)
	assert.Equal(t, "Fail", img.Action)
	assert.Equal(t, "spec.containers[0].image", img.Path)
	assert.Equal(t, "spec.containers{app}", img.FieldPath)
	assert.Equal(t, []eventJSON{{Type: "Warning", Reason: "ErrImageNeverPull", FieldPath: "spec.containers{app}",
		Message: `Container image "registry.example.com/team/app:v2" is not present with pull policy of Never`}}, img.Events)
}
