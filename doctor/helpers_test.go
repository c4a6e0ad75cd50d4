package doctor

import (
	"context"
	"encoding/base64"
	"fmt"
	"sync"
	"sync/atomic"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/reference"
)

const ns = "app"

// podOpt changes a test pod.
type podOpt func(*corev1.Pod)

func newPod(name, image string, opts ...podOpt) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name)},
		Spec: corev1.PodSpec{NodeName: "node-1", ServiceAccountName: "default",
			Containers: []corev1.Container{{Name: "web", Image: image}}},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

func withPolicy(policy corev1.PullPolicy) podOpt {
	return func(p *corev1.Pod) { p.Spec.Containers[0].ImagePullPolicy = policy }
}

func withSecrets(names ...string) podOpt {
	return func(p *corev1.Pod) {
		for _, n := range names {
			p.Spec.ImagePullSecrets = append(p.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: n})
		}
	}
}

func waiting(reason, message string) podOpt {
	return func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: p.Spec.Containers[0].Name,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}}}
	}
}

func running() podOpt {
	return func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: p.Spec.Containers[0].Name,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
	}
}

func owner(kind string, uid types.UID) podOpt {
	return func(p *corev1.Pod) { p.OwnerReferences = []metav1.OwnerReference{controllerRef(kind, uid)} }
}

func controllerRef(kind string, uid types.UID) metav1.OwnerReference {
	yes := true
	return metav1.OwnerReference{Kind: kind, Name: string(uid), UID: uid, Controller: &yes}
}

func labelled(l map[string]string) podOpt { return func(p *corev1.Pod) { p.Labels = l } }

// dockerSecret is a kubernetes.io/dockerconfigjson Secret with one auth per registry.
func dockerSecret(name string, user, password string, registries ...string) *corev1.Secret {
	auths := ""
	for i, r := range registries {
		if i > 0 {
			auths += ","
		}
		auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
		auths += fmt.Sprintf("%q:{%q:%q}", r, "auth", auth)
	}
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name)},
		Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{` + auths + `}}`)}}
}

func node(name string, images ...[]string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, names := range images {
		n.Status.Images = append(n.Status.Images, corev1.ContainerImage{Names: names, SizeBytes: 1000})
	}
	return n
}

func serviceAccount(name string, secrets ...string) *corev1.ServiceAccount {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	for _, s := range secrets {
		sa.ImagePullSecrets = append(sa.ImagePullSecrets, corev1.LocalObjectReference{Name: s})
	}
	return sa
}

func deployment(name string, uid types.UID, l map[string]string) *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: l}}}
}

// fakeProber answers from a table keyed by "image user" ("image -" for anonymous) and
// counts and records its calls.
type fakeProber struct {
	answers map[string]ProbeResult
	calls   atomic.Int64
	mu      sync.Mutex
	asked   []string
}

func (f *fakeProber) Probe(_ context.Context, img reference.Image, cred *credential.Credential) ProbeResult {
	f.calls.Add(1)
	user := "-"
	if cred != nil {
		user = cred.Username
	}
	key := img.String() + " " + user
	f.mu.Lock()
	f.asked = append(f.asked, key)
	f.mu.Unlock()
	if r, ok := f.answers[key]; ok {
		return r
	}
	if r, ok := f.answers[img.String()+" *"]; ok {
		return r
	}
	return ProbeResult{Kind: ProbeOK, Digest: "sha256:" + fmt.Sprintf("%064d", 1)}
}

// appsv1ReplicaSet describes a ReplicaSet owned by a Deployment.
type appsv1ReplicaSet struct {
	name, uid, owner string
	labels           map[string]string
}

func (r appsv1ReplicaSet) object() *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: r.name, UID: types.UID(r.uid), Labels: r.labels,
		OwnerReferences: []metav1.OwnerReference{controllerRef("Deployment", types.UID(r.owner))}},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: r.labels}}}
}
