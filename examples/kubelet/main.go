// Command kubelet embeds a [pullpolicy.Manager] the way a kubelet does, over an in-memory
// image store and a fake container runtime with a registry behind it, and prints what happens
// to a few pods' images: a pull, a restart that finds the image present, credential
// verification refusing a pod that lacks the Secret of a private image (KEP-2535), the
// back-off that follows, and a pull policy of Never.
//
// The output is deterministic: time comes from a fake clock.
//
//	go run ./examples/kubelet
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/pullpolicy"
)

func main() {
	if err := run(context.Background(), os.Stdout, newFakeRuntime); err != nil {
		fmt.Fprintln(os.Stderr, "kubelet:", err)
		os.Exit(1)
	}
}

// runtimeFactory returns the container runtime to pull with: it must add what it pulls to
// store. Any [pullpolicy.Puller] fits, for example one backed by a real registry.
type runtimeFactory func(store *cache.Store, clk *clock) pullpolicy.Puller

// container is one container start in the scenario.
type container struct {
	note    string        // printed before the start, when set
	after   time.Duration // time since the previous start
	pod     pullpolicy.Pod
	image   string
	policy  pullpolicy.Policy
	secrets []credential.Secret
}

// run plays the scenario and writes the events of every container start to w.
func run(ctx context.Context, w io.Writer, newRuntime runtimeFactory) error {
	store := cache.NewStore()
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	m, err := pullpolicy.NewManager(pullpolicy.Config{Store: store, Puller: newRuntime(store, clk), Now: clk.Now})
	if err != nil {
		return err
	}
	start := clk.Now()
	for _, c := range scenario() {
		clk.advance(c.after)
		if c.note != "" {
			fmt.Fprintf(w, "\n# %s\n", c.note)
		}
		fmt.Fprintf(w, "t=%-6v %s/%s starts %s", clk.Now().Sub(start).Truncate(time.Second), c.pod.Namespace, c.pod.Name, c.image)
		if c.policy != "" {
			fmt.Fprintf(w, " (%s)", c.policy)
		}
		fmt.Fprintln(w)
		res, err := m.EnsureImage(ctx, pullpolicy.Request{Pod: c.pod, Image: c.image, Policy: c.policy, PullSecrets: c.secrets})
		for _, e := range res.Events {
			fmt.Fprintf(w, "  %-7s %-17s %s\n", e.Type, e.Reason, e.Message)
		}
		if err != nil {
			fmt.Fprintf(w, "  => waiting: %s: %s\n", err, res.Message)
			continue
		}
		fmt.Fprintf(w, "  => running image %s\n", res.ImageRef)
	}
	return nil
}

// scenario is two teams sharing a node: team-a pulls its private image with its Secret;
// team-b, without it, may not use the copy on the node.
func scenario() []container {
	const private = "registry.example/team/app:v1"
	podA := pullpolicy.Pod{Namespace: "team-a", Name: "app", UID: "a-1"}
	podB := pullpolicy.Pod{Namespace: "team-b", Name: "app", UID: "b-1"}
	podC := pullpolicy.Pod{Namespace: "team-b", Name: "batch", UID: "c-1"}
	secret := credential.Secret{
		Namespace: "team-a", Name: "regcred", UID: "s-1", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(`{"auths":{"registry.example":{"username":"alice","password":"s3cret"}}}`)},
	}
	withSecret := []credential.Secret{secret}
	return []container{
		{note: "team-a pulls its private image with its Secret", pod: podA, image: private, secrets: withSecret},
		{note: "a restart: the Secret that pulled it is on record", after: 30 * time.Second, pod: podA, image: private, secrets: withSecret},
		{note: "a public image, pulled anonymously: open to every pod", after: 5 * time.Second, pod: podA, image: "nginx:1.25"},
		{note: "team-b has no Secret: it must pull, and the registry refuses; then the back-off", after: 5 * time.Second, pod: podB, image: private},
		{after: 5 * time.Second, pod: podB, image: private},
		{after: 10 * time.Second, pod: podB, image: private},
		{after: 10 * time.Second, pod: podB, image: private},
		{after: 20 * time.Second, pod: podB, image: private},
		{note: "under Never, an image the pod may not use is reported as not present", after: 5 * time.Second, pod: podC, image: private, policy: pullpolicy.Never},
		{after: 5 * time.Second, pod: podC, image: "nginx:1.25", policy: pullpolicy.Never},
	}
}
