package kubelettest_test

import (
	"context"
	"fmt"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
)

// A table test of the image manager in about ten lines: a node with one preloaded image, a
// private repository, and the kubelet's answer for each pod.
func Example_tableTest() {
	rt := kubelettest.NewRuntime("nginx:1.25")
	rt.Private("team/app", credential.Credential{Username: "alice", Password: "s3cret"})
	m, _ := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Now: new(kubelettest.Clock).Now})
	secret := credential.Secret{Namespace: "a", Name: "pull", UID: "s1", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(`{"auths":{"docker.io":{"username":"alice","password":"s3cret"}}}`)}}
	for _, row := range []struct {
		pod, image string
		secrets    []credential.Secret
	}{{"a", "nginx:1.25", nil}, {"a", "team/app:v1", []credential.Secret{secret}}, {"b", "team/app:v1", nil}} {
		res, err := m.EnsureImageExists(context.Background(), kubelet.Request{Pod: kubelet.Pod{Namespace: row.pod, Name: "web", UID: row.pod}, Image: row.image, PullSecrets: row.secrets})
		fmt.Printf("%s %-12s %-9s err=%v\n", row.pod, row.image, res.Events[len(res.Events)-1].Reason, err != nil)
	}
	fmt.Println("pulls:", len(rt.Pulls()))
	// Output:
	// a nginx:1.25   Pulled    err=false
	// a team/app:v1  Pulled    err=false
	// b team/app:v1  Failed    err=true
	// pulls: 2
}
