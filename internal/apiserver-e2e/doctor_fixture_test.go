package apiservere2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/internal/apiserver-e2e/controlplane"
	"github.com/imagepull/imagepull/kube/podstatus"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// fixture is one doctor scenario's world: a namespace on the API server, a node of its own,
// a loopback registry, and the pods, Secrets, service accounts and events written into them as
// the kubelet and the control plane would have written them.
type fixture struct {
	t    *testing.T
	api  *controlplane.APIServer
	ns   string
	node string
	reg  *registrytest.Registry
}

// newFixture makes the namespace ns (with its default ServiceAccount), the node "node-<ns>"
// with the images given on it (Node.status.images names), and a registry with opts.
func newFixture(t *testing.T, api *controlplane.APIServer, ns string, opts registrytest.Options, nodeImages ...[]string) *fixture {
	t.Helper()
	require.NoError(t, api.CreateNamespace(t.Context(), ns))
	f := &fixture{t: t, api: api, ns: ns, node: "node-" + ns, reg: registrytest.New(t, opts)}
	f.createNode(nodeImages...)
	return f
}

// createNode creates the fixture's node and writes status.images as the kubelet reports them:
// each image's names (RepoTags and RepoDigests) and a size.
func (f *fixture) createNode(images ...[]string) {
	t := f.t
	ctx := t.Context()
	n, err := f.api.Client.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name: f.node, Labels: map[string]string{"kubernetes.io/hostname": f.node},
	}}, metav1.CreateOptions{})
	require.NoError(t, err)
	for i, names := range images {
		n.Status.Images = append(n.Status.Images, corev1.ContainerImage{Names: names, SizeBytes: int64(1000000 * (len(images) - i))})
	}
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"}}
	_, err = f.api.Client.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
	require.NoError(t, err)
}

// push pushes a random image repoTag to the fixture's registry and returns its full reference
// and digest.
func (f *fixture) push(repoTag string) (ref, dgst string) {
	f.t.Helper()
	d, err := f.reg.PushRandom(f.t.Context(), repoTag)
	require.NoError(f.t, err)
	return f.reg.Host() + "/" + repoTag, d.String()
}

// dockerConfigSecret creates a kubernetes.io/dockerconfigjson Secret with one username and
// password per registry host.
func (f *fixture) dockerConfigSecret(name string, auths map[string][2]string) {
	f.t.Helper()
	type entry struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Auth     string `json:"auth"`
	}
	cfg := struct {
		Auths map[string]entry `json:"auths"`
	}{Auths: map[string]entry{}}
	for host, up := range auths {
		cfg.Auths[host] = entry{up[0], up[1], base64.StdEncoding.EncodeToString([]byte(up[0] + ":" + up[1]))}
	}
	data, err := json.Marshal(cfg)
	require.NoError(f.t, err)
	_, err = f.api.Client.CoreV1().Secrets(f.ns).Create(f.t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: data},
	}, metav1.CreateOptions{})
	require.NoError(f.t, err)
}

// serviceAccount creates a ServiceAccount with the pull Secrets named.
func (f *fixture) serviceAccount(name string, pullSecrets ...string) *corev1.ServiceAccount {
	f.t.Helper()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, s := range pullSecrets {
		sa.ImagePullSecrets = append(sa.ImagePullSecrets, corev1.LocalObjectReference{Name: s})
	}
	sa, err := f.api.Client.CoreV1().ServiceAccounts(f.ns).Create(f.t.Context(), sa, metav1.CreateOptions{})
	require.NoError(f.t, err)
	return sa
}

// podSpec is what a scenario's pod asks for.
type podSpec struct {
	name           string
	image          string
	policy         corev1.PullPolicy // "" leaves it to the API server's default
	pullSecrets    []string
	serviceAccount string
}

// pod creates a pod bound to the fixture's node with one container "app", as the scheduler
// would have left it, and returns it as stored.
func (f *fixture) pod(s podSpec) *corev1.Pod {
	f.t.Helper()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: s.name, Labels: map[string]string{"app": s.name}},
		Spec: corev1.PodSpec{
			NodeName:                     f.node,
			ServiceAccountName:           s.serviceAccount,
			AutomountServiceAccountToken: ptr(false),
			Containers:                   []corev1.Container{{Name: "app", Image: s.image, ImagePullPolicy: s.policy}},
		},
	}
	for _, n := range s.pullSecrets {
		p.Spec.ImagePullSecrets = append(p.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: n})
	}
	p, err := f.api.Client.CoreV1().Pods(f.ns).Create(f.t.Context(), p, metav1.CreateOptions{})
	require.NoError(f.t, err)
	return p
}

// kubeletSync makes p's status and events with the library's kubelet, the custom-kubelet
// code of package kube/podstatus (the kubelet's SyncPod, its reason cache and status) over a
// kubelet.ImageManager, on a node whose runtime fails every pull with the runtime's error text
// pullErr (containerd's, see TestDoctorScenarioTextsAreContainerds) and holds no image. The pod
// worker's retries are followed (podstatus.RetryDelay) until the container waits in
// ImagePullBackOff, or for three syncs; missing are the pod's pull Secrets the kubelet could
// not get, for its FailedToRetrieveImagePullSecret event. The status is written through the
// status subresource and the events as the kubelet's recorder aggregates them (one per
// object, type, reason and message, with a count).
func (f *fixture) kubeletSync(p *corev1.Pod, pullErr string, missing ...string) {
	t := f.t
	t.Helper()
	status, evs, err := kubeletRun(t.Context(), p, pullErr, missing...)
	require.NoError(t, err)
	p.Status = status
	_, err = f.api.Client.CoreV1().Pods(f.ns).UpdateStatus(t.Context(), p, metav1.UpdateOptions{})
	require.NoError(t, err)
	f.events(p, evs...)
}

// kubeletRun is the kubelet's part of kubeletSync: the status and the aggregated events.
func kubeletRun(ctx context.Context, p *corev1.Pod, pullErr string, missing ...string) (corev1.PodStatus, []kubeletEvent, error) {
	now := time.Now().Add(-time.Minute)
	runtime := kubelet.PullerFunc(func(context.Context, kubelet.PullRequest) (kubelet.PullResult, error) {
		return kubelet.PullResult{}, errors.New(pullErr)
	})
	images, err := kubelet.NewImageManager(kubelet.Config{Store: cache.NewStore(), Puller: runtime, Now: func() time.Time { return now }})
	if err != nil {
		return corev1.PodStatus{}, nil, err
	}
	ensure := func(ctx context.Context, step podstatus.Step) (kubelet.Result, error) {
		return images.EnsureImageExists(ctx, step.Request(p))
	}
	reasons := podstatus.NewReasonCache(0)
	var evs []kubeletEvent
	record := func(e kubelet.Event) {
		for i := range evs {
			if evs[i].typ == e.Type && evs[i].reason == e.Reason && evs[i].message == e.Message && evs[i].fieldPath == e.FieldPath {
				evs[i].count++
				return
			}
		}
		evs = append(evs, kubeletEvent{typ: e.Type, reason: e.Reason, message: e.Message, fieldPath: e.FieldPath, count: 1})
	}
	for range 3 {
		r := podstatus.Sync(ctx, p, func(string) bool { return false }, ensure)
		reasons.Update(p.UID, &r)
		for _, e := range r.AllEvents() {
			record(e)
		}
		if e, ok := r.MissingSecretsEvent(missing); ok {
			record(e)
		}
		_, statuses, _ := podstatus.ContainerStatuses(p, reasons, podstatus.StatusOptions{})
		if w := statuses[0].State.Waiting; w != nil && w.Reason == "ImagePullBackOff" {
			break
		}
		now = now.Add(podstatus.RetryDelay(&r, podstatus.BackOffPeriod, podstatus.ResyncInterval))
	}
	status := podstatus.PodStatus(p, reasons, podstatus.StatusOptions{Now: now})
	status.HostIP, status.HostIPs = "10.0.0.1", []corev1.HostIP{{IP: "10.0.0.1"}}
	return status, evs, nil
}

// kubeletEvent is one event the kubelet records: its type, reason and message, and the
// field path of the container it is about ("" for the pod itself).
type kubeletEvent struct {
	typ, reason, message, fieldPath string
	count                           int32
}

// events records evs about p, oldest first, as the kubelet's event recorder writes them.
func (f *fixture) events(p *corev1.Pod, evs ...kubeletEvent) {
	f.t.Helper()
	base := time.Now().Add(-time.Duration(len(evs)) * time.Second)
	for i, e := range evs {
		at := metav1.NewTime(base.Add(time.Duration(i) * time.Second))
		count := max(e.count, 1)
		_, err := f.api.Client.CoreV1().Events(f.ns).Create(f.t.Context(), &corev1.Event{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s.%s", p.Name, randomHex())},
			InvolvedObject: corev1.ObjectReference{
				Kind: "Pod", APIVersion: "v1", Namespace: p.Namespace, Name: p.Name, UID: p.UID,
				ResourceVersion: p.ResourceVersion, FieldPath: e.fieldPath,
			},
			Type: e.typ, Reason: e.reason, Message: e.message, Count: count,
			Source:         corev1.EventSource{Component: "kubelet", Host: f.node},
			FirstTimestamp: at, LastTimestamp: at,
			ReportingController: "kubelet", ReportingInstance: f.node,
		}, metav1.CreateOptions{})
		require.NoError(f.t, err)
	}
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// containerd's errors, the runtime's part of the kubelet's texts, checked against the real
// containerd by TestDoctorScenarioTextsAreContainerds (CRI code Unknown, which the kubelet's CRI client strips,
// k8s.io/cri-client pkg/remote_image.go:341-344; NotFound keeps its "rpc error" prefix).
func crierrPrefix(image string) string {
	return fmt.Sprintf("failed to pull and unpack image %q: failed to resolve reference %q: ", image, image)
}

func crierrNotFound(image string) string {
	return fmt.Sprintf("rpc error: code = NotFound desc = failed to pull and unpack image %q: failed to resolve reference %q: %s: not found", image, image, image)
}

func crierrStatus(image, host, tag, status string) string {
	return crierrPrefix(image) + fmt.Sprintf("pulling from host %s failed with status code [manifests %s]: %s", host, tag, status)
}

func crierrTokenRefused(image string) string {
	return crierrPrefix(image) + "failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized"
}

func crierrRequest(image, url, cause string) string {
	return crierrPrefix(image) + fmt.Sprintf("failed to do request: Head %q: %s", url, cause)
}
