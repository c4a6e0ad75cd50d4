package doctor_test

import (
	"context"
	"fmt"
	"os"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/doctor"
	"github.com/imagepull/imagepull/reference"
)

// A pod whose pull Secret does not exist, against a registry that wants credentials. A real
// tool passes a clientset built from a kubeconfig, and doctor.RegistryProber of a
// registry.Resolver.
func Example() {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-0"},
		Spec: corev1.PodSpec{NodeName: "node-1", ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}},
			Containers: []corev1.Container{{Name: "web", Image: "ghcr.io/acme/web:v2"}}},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "web",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff"}}}}},
	}
	client := fake.NewClientset(pod, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}})
	prober := doctor.ProberFunc(func(_ context.Context, img reference.Image, cred *credential.Credential) doctor.ProbeResult {
		return doctor.ProbeResult{Kind: doctor.ProbeUnauthorized, Message: "ghcr.io requires credentials for acme/web"}
	})
	rep, err := doctor.New(client, &doctor.Options{Prober: prober}).Diagnose(context.Background(),
		doctor.Target{Kind: "pod", Name: "web-0", Namespace: "shop"})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := rep.Pods[0].Images[0].Finding
	fmt.Println(f.Cause)
	fmt.Println(f.Hint)
	_ = rep.WriteText(os.Stdout)
	// Output:
	// MissingSecret
	// create Secret regcred of type kubernetes.io/dockerconfigjson with an auth for ghcr.io
	// pod shop/web-0 (node node-1)
	//   pull Secrets:
	//     regcred: Missing
	//   container web: ghcr.io/acme/web:v2
	//     policy      IfNotPresent (not set: the API server's default for this image): pulled when the node lacks it (and, under KEP-2535, when this pod's credentials were not seen to reach it)
	//     on node     absent
	//     credentials none from the API: the pull is anonymous unless the node's docker config has some
	//     registry    anonymous: Unauthorized: ghcr.io requires credentials for acme/web
	//     cause       MissingSecret: pull Secret regcred does not exist in namespace shop: the kubelet pulls without it (event FailedToRetrieveImagePullSecret)
	//     fix         create Secret regcred of type kubernetes.io/dockerconfigjson with an auth for ghcr.io
	//     pod says    waiting ImagePullBackOff
	//     agrees      yes
	// note: the node's own docker config (the kubelet's config.json) cannot be read from the API: credentials it holds come after the pod's Secrets and are not shown
}
