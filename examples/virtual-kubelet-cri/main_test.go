package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/internal/critest"
	"github.com/imagepull/imagepull/registry/registrytest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	critest.ReportSkipped("examples/virtual-kubelet-cri")
	os.Exit(code)
}

// TestRunsPodOnContainerd runs the virtual node against the containerd of .ci/containerd.sh: a
// pod whose private image needs its pull Secret is pulled by containerd with that Secret, its
// container really runs (its log says so), the node reports the image in Node.status.images,
// and deleting the pod removes its sandbox. The API server is client-go's fake. The pod
// sandbox's image is served by the loopback registry through a hosts.toml mirror in the
// containerd's certs.d, since the machine has no access to registry.k8s.io.
func TestRunsPodOnContainerd(t *testing.T) {
	socket := critest.Socket(t)
	ctrdDir := os.Getenv("IMAGEPULL_CONTAINERD_DIR")
	require.NotEmpty(t, ctrdDir, "IMAGEPULL_CONTAINERD_DIR (set by .ci/containerd.sh) names the containerd's directory")
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()

	c, err := cri.Dial(ctx, socket, nil)
	require.NoError(t, err)
	defer c.Close()
	sandboxImage := sandboxImageOf(t, ctx, c)

	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBasic, Username: "alice", Password: "s3cret", PathPrefix: "/v2/team/"}})
	bin := buildSleeper(t)
	sbHost, sbPath, _ := strings.Cut(sandboxImage, "/")
	require.NoError(t, pushExecImage(ctx, reg, sbPath, "pause", bin))
	require.NoError(t, pushExecImage(ctx, reg, "team/app:v1", "app", bin))
	mirror := filepath.Join(ctrdDir, "certs.d", sbHost)
	require.NoError(t, os.MkdirAll(mirror, 0o755))
	t.Cleanup(func() { _ = os.RemoveAll(mirror) })
	require.NoError(t, os.WriteFile(filepath.Join(mirror, "hosts.toml"), fmt.Appendf(nil,
		"server = %q\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n", "http://"+reg.Host(), "http://"+reg.Host()), 0o644))

	// Can this machine's runtime run a container at all? (Inside some sandboxes runc cannot
	// create namespaces.) The image half is checked either way.
	canRunErr := probeSandbox(ctx, c)
	canRun := canRunErr == nil

	client := fake.NewClientset(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson,
			Data: map[string][]byte{corev1.DockerConfigJsonKey: fmt.Appendf(nil, `{"auths":{%q:{"username":"alice","password":"s3cret"}}}`, reg.Host())}},
	)
	root := t.TempDir()
	ready := make(chan struct{})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(runCtx, options{client: client, socket: socket, node: "vk-cri", root: root, ready: func() { close(ready) }})
	}()
	defer func() {
		stop()
		assert.NoError(t, <-done)
		assert.NoError(t, removeImagesOf(context.WithoutCancel(ctx), c, reg.Host(), sandboxImage))
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	}

	image := reg.Host() + "/team/app:v1"
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "app", UID: "uid-app"}, Spec: corev1.PodSpec{
		NodeName: "vk-cri", ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}},
		Containers: []corev1.Container{{Name: "app", Image: image, ImagePullPolicy: corev1.PullIfNotPresent}},
	}}
	_, err = client.CoreV1().Pods("team-a").Create(ctx, pod, metav1.CreateOptions{})
	require.NoError(t, err)

	if !canRun {
		// The images are ready, the provider was asked to run the pod, and the runtime could not.
		poll(t, ctx, func() ([]string, bool) {
			names := imageNames(ctx, c)
			return names, slicesContains(names, image)
		})
		checkNodeImages(t, ctx, client, image)
		t.Skipf("the runtime pulled %s with the pod's Secret, but cannot run containers on this machine: %v", image, canRunErr)
	}
	got := poll(t, ctx, func() (*corev1.Pod, bool) {
		p, err := client.CoreV1().Pods("team-a").Get(ctx, "app", metav1.GetOptions{})
		return p, err == nil && p.Status.Phase == corev1.PodRunning && len(p.Status.ContainerStatuses) == 1 &&
			p.Status.ContainerStatuses[0].State.Running != nil
	})
	cid := strings.TrimPrefix(got.Status.ContainerStatuses[0].ContainerID, "containerd://")
	st, err := c.RuntimeService().ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: cid})
	require.NoError(t, err)
	assert.Equal(t, runtimeapi.ContainerState_CONTAINER_RUNNING, st.Status.State)
	logFile := filepath.Join(root, "vk-cri", "pods", "team-a_app_uid-app", "app.log")
	poll(t, ctx, func() (string, bool) {
		b, err := os.ReadFile(logFile)
		return string(b), err == nil && strings.Contains(string(b), "sleeper /app started")
	})
	events, err := client.CoreV1().Events("team-a").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	var reasons []string
	for _, e := range events.Items {
		reasons = append(reasons, e.Reason)
	}
	assert.Contains(t, reasons, "Pulled")

	checkNodeImages(t, ctx, client, image)

	require.NoError(t, client.CoreV1().Pods("team-a").Delete(ctx, "app", metav1.DeleteOptions{}))
	poll(t, ctx, func() (int, bool) {
		sbs, err := c.RuntimeService().ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{
			LabelSelector: map[string]string{"io.kubernetes.pod.namespace": "team-a", "io.kubernetes.pod.name": "app"}}})
		return len(sbs.GetItems()), err == nil && len(sbs.GetItems()) == 0
	})
}

// poll calls f every 100 ms until it reports done, failing the test when ctx ends first.
func poll[T any](t *testing.T, ctx context.Context, f func() (T, bool)) T {
	t.Helper()
	for {
		v, done := f()
		if done {
			return v
		}
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting; last value: %+v", v)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// sandboxImageOf asks the runtime which image its pod sandboxes run (containerd's
// sandbox_image, in its verbose status).
func sandboxImageOf(t *testing.T, ctx context.Context, c *cri.Client) string {
	t.Helper()
	resp, err := c.RuntimeService().Status(ctx, &runtimeapi.StatusRequest{Verbose: true})
	require.NoError(t, err)
	var cfg struct {
		SandboxImage string `json:"sandboxImage"`
	}
	require.NoError(t, json.Unmarshal([]byte(resp.Info["config"]), &cfg))
	require.NotEmpty(t, cfg.SandboxImage)
	return cfg.SandboxImage
}

// buildSleeper builds testdata/sleeper as a static binary.
func buildSleeper(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "sleeper")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", out, "./testdata/sleeper")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	bin, err := os.ReadFile(out)
	require.NoError(t, err)
	return bin
}

// pushExecImage pushes, as repoTag, a linux image whose one layer holds bin as /name, its
// entrypoint.
func pushExecImage(ctx context.Context, reg *registrytest.Registry, repoTag, name string, bin []byte) error {
	repo, _, _ := strings.Cut(repoTag, ":")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o755, Size: int64(len(bin)), ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	if _, err := tw.Write(bin); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	layer := buf.Bytes()
	ld, err := reg.PushBlob(ctx, repo, layer)
	if err != nil {
		return err
	}
	cfg := ocispec.Image{
		Platform: ocispec.Platform{OS: "linux", Architecture: goarch()},
		Config:   ocispec.ImageConfig{Entrypoint: []string{"/" + name}},
		RootFS:   ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{ld}},
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	cd, err := reg.PushBlob(ctx, repo, cfgJSON)
	if err != nil {
		return err
	}
	m := ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest,
		Config: ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: cd, Size: int64(len(cfgJSON))},
		Layers: []ocispec.Descriptor{{MediaType: ocispec.MediaTypeImageLayer, Digest: ld, Size: int64(len(layer))}}}
	m.SchemaVersion = 2
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = reg.PushManifest(ctx, repoTag, m.MediaType, body)
	return err
}

// removeImagesOf removes from the runtime the images pulled from host, and the sandbox image.
func removeImagesOf(ctx context.Context, c *cri.Client, host, sandboxImage string) error {
	imgs, err := c.ListImages(ctx)
	if err != nil {
		return err
	}
	for _, img := range imgs {
		for _, name := range append(img.RepoTags, img.RepoDigests...) {
			if strings.HasPrefix(name, host+"/") || name == sandboxImage {
				if err := c.RemoveImage(ctx, img.ID); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

func goarch() string { return runtime.GOARCH }

// checkNodeImages waits until the node reports image, by name, with its size.
func checkNodeImages(t *testing.T, ctx context.Context, client *fake.Clientset, image string) {
	t.Helper()
	poll(t, ctx, func() (*corev1.Node, bool) {
		n, err := client.CoreV1().Nodes().Get(ctx, "vk-cri", metav1.GetOptions{})
		if err != nil {
			return nil, false
		}
		for _, im := range n.Status.Images {
			if slicesContains(im.Names, image) && im.SizeBytes > 0 {
				return n, true
			}
		}
		return n, false
	})
}

// probeSandbox runs and removes a pod sandbox; its error says why the runtime cannot run one.
func probeSandbox(ctx context.Context, c *cri.Client) error {
	p := newCRIProvider(c, os.TempDir())
	cfg := p.sandboxConfig(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "probe", Name: "probe", UID: "uid-probe"}})
	sb, err := c.RuntimeService().RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: cfg})
	if err != nil {
		return err
	}
	return p.removeSandbox(ctx, sb.PodSandboxId)
}

// imageNames lists the names of the runtime's images.
func imageNames(ctx context.Context, c *cri.Client) []string {
	imgs, _ := c.ListImages(ctx)
	var names []string
	for _, img := range imgs {
		names = append(names, img.RepoTags...)
	}
	return names
}

func slicesContains(list []string, s string) bool { return slices.Contains(list, s) }

// Without a runtime on the socket, the node does not start.
func TestMissingSocket(t *testing.T) {
	err := run(t.Context(), options{client: fake.NewClientset(), socket: filepath.Join(t.TempDir(), "none.sock"), node: "vk", root: t.TempDir()})
	require.ErrorIs(t, err, fs.ErrNotExist)
}
