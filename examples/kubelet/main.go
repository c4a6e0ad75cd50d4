// Command kubelet embeds a [kubelet.ImageManager] the way a kubelet does and prints what happens
// to a few pods' images: a pull, a restart that finds the image present, credential
// verification refusing a pod that lacks the Secret of a private image (KEP-2535), the
// back-off that follows, and a pull policy of Never.
//
// The registry is real: registry/registrytest serves the images on 127.0.0.1, the private
// repository behind Basic auth. The container runtime is, by default, a small stand-in that
// pulls from that registry into an in-memory image store; with -cri it is a real one, such as
// containerd, reached over its CRI socket:
//
//	go run ./examples/kubelet
//	go run ./examples/kubelet -cri /run/containerd/containerd.sock
//	go run ./examples/kubelet -metrics-addr 127.0.0.1:9101
//
// With -metrics-addr the pull records are kept in files, as the kubelet keeps them, and after
// the scenario the kubelet's image metrics (kubelet/metrics) are served on that loopback
// address at /metrics until the program is interrupted.
//
// By default the output is deterministic but for the registry's port: the images' content is
// fixed and time comes from a fake clock. With -cri, pull durations and image sizes are the
// runtime's, and the images pulled are removed from the runtime at the end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/registry/registrytest"
)

func main() {
	socket := flag.String("cri", "", "CRI socket of a container runtime to pull with (e.g. containerd's); default: a built-in stand-in")
	metricsAddr := flag.String("metrics-addr", "", "loopback address (e.g. 127.0.0.1:9101) to serve Prometheus metrics on at /metrics after the scenario, until interrupted")
	flag.Parse()
	if err := serve(*socket, *metricsAddr); err != nil {
		fmt.Fprintln(os.Stderr, "kubelet:", err)
		os.Exit(1)
	}
}

// serve plays the scenario and, with a metrics address, serves the metrics until interrupted.
func serve(socket, metricsAddr string) (err error) {
	opts := options{socket: socket, arch: fakeNodeArch}
	var srv *metricsServer
	if metricsAddr != "" {
		if srv, err = startMetrics(metricsAddr, &opts); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, srv.close()) }()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, opts); err != nil {
		return err
	}
	if srv != nil {
		fmt.Printf("\nmetrics: %s (interrupt to stop)\n", srv.url())
		interrupted, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		<-interrupted.Done()
	}
	return nil
}

// options selects the container runtime, and where the image manager keeps its records and
// reports its metrics.
type options struct {
	socket  string                  // CRI socket; "" means the stand-in runtime
	arch    string                  // the stand-in node's architecture, for the images' platform (-cri: the runtime's)
	records pullmanager.PullRecords // nil: in memory
	metrics kubelet.Metrics         // nil: none
}

// credentials of the private repository "team/app".
const (
	user     = "alice"
	password = "s3cret"
)

// run serves the images, plays the scenario and writes the events of every container start to
// w.
func run(ctx context.Context, w io.Writer, opts options) (err error) {
	reg, err := registrytest.Start(registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBasic, Username: user, Password: password, PathPrefix: "/v2/team/",
	}})
	if err != nil {
		return err
	}
	defer reg.Close()
	node, err := newNode(ctx, reg, opts)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, node.close()) }()
	for _, img := range []struct{ repoTag, content string }{
		{"team/app:v1", "team-a's private app\n"},
		{"library/nginx:1.25", "a public web server\n"},
	} {
		if err := pushImage(ctx, reg, img.repoTag, node.arch, img.content); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "registry %s serves team/app:v1 (private: user %s) and library/nginx:1.25 (public)\n", reg.Host(), user)

	m, err := kubelet.NewImageManager(kubelet.Config{Store: node.store, Puller: node.puller, Now: node.clock.Now,
		Records: opts.records, Metrics: opts.metrics})
	if err != nil {
		return err
	}
	start := node.clock.Now()
	for _, c := range scenario(reg.Host()) {
		node.clock.advance(c.after)
		if c.note != "" {
			fmt.Fprintf(w, "\n# %s\n", c.note)
		}
		fmt.Fprintf(w, "t=%-6v %s/%s starts %s", node.clock.Now().Sub(start).Truncate(time.Second), c.pod.Namespace, c.pod.Name, c.image)
		if c.policy != "" {
			fmt.Fprintf(w, " (%s)", c.policy)
		}
		fmt.Fprintln(w)
		res, err := m.EnsureImageExists(ctx, kubelet.Request{Pod: c.pod, Image: c.image, Policy: c.policy, PullSecrets: c.secrets})
		for _, e := range res.Events {
			fmt.Fprintf(w, "  %-7s %-17s %s\n", e.Type, e.Reason, e.Message)
		}
		if err != nil {
			fmt.Fprintf(w, "  => waiting: %s\n", err) // the reason, then the pod-status message
			continue
		}
		fmt.Fprintf(w, "  => running image ID %s\n", shortID(res.ImageRef))
	}
	return nil
}

// container is one container start in the scenario.
type container struct {
	note    string        // printed before the start, when set
	after   time.Duration // time since the previous start
	pod     kubelet.Pod
	image   string
	policy  pullpolicy.Policy
	secrets []credential.Secret
}

// scenario is two teams sharing a node: team-a pulls its private image with its Secret;
// team-b, without it, may not use the copy on the node.
func scenario(host string) []container {
	private := host + "/team/app:v1"
	public := host + "/library/nginx:1.25"
	podA := kubelet.Pod{Namespace: "team-a", Name: "app", UID: "a-1"}
	podB := kubelet.Pod{Namespace: "team-b", Name: "app", UID: "b-1"}
	podC := kubelet.Pod{Namespace: "team-b", Name: "batch", UID: "c-1"}
	secret := credential.Secret{
		Namespace: "team-a", Name: "regcred", UID: "s-1", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: fmt.Appendf(nil,
			`{"auths":{%q:{"username":%q,"password":%q}}}`, host, user, password)},
	}
	withSecret := []credential.Secret{secret}
	return []container{
		{note: "team-a pulls its private image with its Secret", pod: podA, image: private, secrets: withSecret},
		{note: "a restart: the Secret that pulled it is on record", after: 30 * time.Second, pod: podA, image: private, secrets: withSecret},
		{note: "a public image, pulled anonymously: open to every pod", after: 5 * time.Second, pod: podA, image: public},
		{note: "team-b has no Secret: it must pull, and the registry refuses; then the back-off", after: 5 * time.Second, pod: podB, image: private},
		{after: 5 * time.Second, pod: podB, image: private},
		{after: 10 * time.Second, pod: podB, image: private},
		{after: 10 * time.Second, pod: podB, image: private},
		{after: 20 * time.Second, pod: podB, image: private},
		{note: "under Never, an image the pod may not use is reported as not present", after: 5 * time.Second, pod: podC, image: private, policy: pullpolicy.Never},
		{after: 5 * time.Second, pod: podC, image: public, policy: pullpolicy.Never},
	}
}

// shortID returns the first 12 hex digits of an image ID, as crictl images prints it.
func shortID(id string) string {
	hex := strings.TrimPrefix(id, "sha256:")
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return hex
}
