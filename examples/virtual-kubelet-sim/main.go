// Command virtual-kubelet-sim runs simulated virtual nodes on a Kubernetes cluster: each is a
// virtual-kubelet node whose provider (package sim) marks a pod's containers Running once
// their images are on the node, and whose images are made ready the kubelet's way by the
// virtualkubelet adapter (pull policy, KEP-2535 pull records, back-off, registry QPS limit,
// events, waiting reasons). The "runtime" keeps its images in memory, but its pulls really go
// to the registries the images name: a pull resolves the tag and fetches the manifest, the
// config and the layers the node lacks, as containerd does, and nothing is unpacked.
//
//	go run ./examples/virtual-kubelet-sim -kubeconfig ~/.kube/config -nodes 3
//	kubectl run web --image=nginx:1.27 --overrides='{"spec":{"nodeName":"vk-sim-0"}}'
//	kubectl describe pod web         # Pulling, Pulled; Running with the image's digest
//	kubectl get node vk-sim-0 -o jsonpath='{.status.images}'
//
// The nodes are tainted virtual-kubelet.io/provider=sim:NoSchedule, so only pods that
// tolerate the taint, or name the node, land on them. Registries listed in -plain-http are
// spoken to over HTTP (a local test registry). The program runs until interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster")
	nodes := flag.Int("nodes", 1, "number of virtual nodes")
	prefix := flag.String("prefix", "vk-sim", "node names are PREFIX-0, PREFIX-1, …")
	plain := flag.String("plain-http", "", "comma-separated registry hosts to speak plain HTTP to")
	namespace := flag.String("namespace", "", "run only the pods of this namespace (default: all)")
	flag.Parse()
	if err := serve(*kubeconfig, options{nodes: *nodes, prefix: *prefix, plainHTTP: split(*plain), namespace: *namespace}); err != nil {
		fmt.Fprintln(os.Stderr, "virtual-kubelet-sim:", err)
		os.Exit(1)
	}
}

// serve runs the nodes until interrupted.
func serve(kubeconfig string, opts options) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 100, 200
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := start(ctx, client, opts)
	if err != nil {
		return err
	}
	fmt.Printf("%d virtual node(s) %s-0… running; interrupt to stop\n", opts.nodes, opts.prefix)
	<-ctx.Done()
	return c.stop()
}

func split(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
