package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/imagepull/imagepull/doctor"
	"github.com/imagepull/imagepull/registry"
)

func doctorCommand() *command {
	return &command{
		name:    "doctor",
		args:    "[TARGET]",
		summary: "why a pod's image cannot be pulled, read from a live cluster",
		help: `Doctor reads a pod (pod/NAME), or the pods of a workload (deployment/NAME, statefulset/,
daemonset/, replicaset/, replicationcontroller/, job/, cronjob/), from the cluster of the
kubeconfig, and for every image of every container, init container, ephemeral container and
image volume says what the kubelet does and why: the pull policy as written and as stored,
whether the node holds the image (Node.status.images), the pull Secrets and the service
account's, the credentials the kubelet would try in its order, and what the registry answers
to each. It names the root cause first, with a one-line fix, beside the pod's own waiting
reason, message and events, and says whether they agree. Credentials are never printed.

Without TARGET it diagnoses every pod of the namespace (every namespace with -A) with a
container waiting on an image reason (ErrImagePull, ImagePullBackOff, ErrImageNeverPull,
InvalidImageName, …).

Reads the caller is not allowed (403) are listed, and the diagnosis goes on without them;
examples/doctor/clusterrole.yaml is a minimal read-only ClusterRole. The node's own docker
config cannot be read from the API: --docker-config gives it when you know it. Registry calls
are bounded in number (--max-registry-calls), in time (--registry-timeout) and per registry
(4 at a time); --no-registry asks none.

The exit code is 1 when some image has a cause that stops it.`,
		examples: []example{
			{"imagepull doctor pod/web-0 -n shop", "why pod web-0 is stuck in ImagePullBackOff"},
			{"imagepull doctor deployment/web --context prod", "every pod of a Deployment, in another kubeconfig context"},
			{"imagepull doctor -A", "every pod of the cluster waiting on its image"},
			{"imagepull doctor pod/web-0 -o json", "the diagnosis as JSON"},
			{"imagepull doctor pod/web-0 --ca-file registry-ca.pem --plain-http 10.0.0.5:5000", "a private registry with its own CA, and one over plain HTTP"},
		},
		minArgs: 0, maxArgs: 1,
		newRunner: func() runner { return &doctorRunner{} },
	}
}

type doctorRunner struct {
	namespace     string
	allNamespaces bool
	kubeconfig    string
	kubeContext   string
	caFiles       listFlag
	noRegistry    bool
	timeout       time.Duration
	maxCalls      int
	reg           registryFlags
	out           *formatFlag
}

func (r *doctorRunner) flags(fs *flagSet) {
	fs.StringVar(&r.namespace, "n", "", "the `NAMESPACE` (default: the kubeconfig context's)")
	fs.alias("namespace", "n")
	fs.BoolVar(&r.allNamespaces, "A", false, "every namespace (without TARGET)")
	fs.alias("all-namespaces", "A")
	fs.StringVar(&r.kubeconfig, "kubeconfig", "", "the kubeconfig `FILE` (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)")
	fs.StringVar(&r.kubeContext, "context", "", "the kubeconfig `CONTEXT` (default: its current context)")
	fs.Var(&r.caFiles, "ca-file", "trust the CA certificates in PEM `FILE` for registries, beside the system's (repeatable)")
	fs.BoolVar(&r.noRegistry, "no-registry", false, "ask no registry: diagnose from the API server alone")
	fs.DurationVar(&r.timeout, "registry-timeout", doctor.DefaultProbeTimeout, "bound one registry call to `DURATION`")
	fs.IntVar(&r.maxCalls, "max-registry-calls", doctor.DefaultMaxProbes, "ask the registries at most `N` times in all")
	r.reg.register(fs)
	r.out = fs.output("text", "json")
}

func (r *doctorRunner) run(ctx context.Context, a *app, args []string) error {
	t := doctor.Target{Namespace: r.namespace, AllNamespaces: r.allNamespaces}
	if len(args) == 1 {
		if r.allNamespaces {
			return usagef("-A diagnoses every waiting pod: give it no TARGET")
		}
		var err error
		if t.Kind, t.Name, err = doctor.ParseTarget(args[0]); err != nil {
			return usagef("%v", err)
		}
	}
	if r.maxCalls <= 0 || r.timeout <= 0 {
		return usagef("--max-registry-calls and --registry-timeout must be positive")
	}
	loading := clientcmd.NewDefaultClientConfigLoadingRules()
	loading.ExplicitPath = r.kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(loading, &clientcmd.ConfigOverrides{CurrentContext: r.kubeContext})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return inputErr(fmt.Errorf("kubeconfig: %w", err))
	}
	if t.Namespace == "" && !t.AllNamespaces {
		if t.Namespace, _, err = cc.Namespace(); err != nil {
			return inputErr(fmt.Errorf("kubeconfig: %w", err))
		}
	}
	cfg.UserAgent = "imagepull-doctor"
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return inputErr(fmt.Errorf("kubeconfig: %w", err))
	}
	opts := &doctor.Options{ProbeTimeout: r.timeout, MaxProbes: r.maxCalls}
	if opts.NodeKeyring, err = r.reg.keyring(); err != nil {
		return err
	}
	provider, err := r.reg.provider(a.stderr)
	if err != nil {
		return err
	}
	if provider != nil {
		opts.Provider = provider
	}
	if !r.noRegistry {
		res, err := r.prober()
		if err != nil {
			return err
		}
		defer res.CloseIdleConnections()
		opts.Prober = doctor.RegistryProber(res)
	}
	var (
		once sync.Once
		prog *progress
	)
	opts.Progress = func(done, total int) {
		once.Do(func() { prog = a.newProgress("pods", total) })
		prog.step(1)
	}
	rep, err := doctor.New(client, opts).Diagnose(ctx, t)
	if prog != nil {
		prog.finish()
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	if r.out.value == "json" {
		err = writeJSON(a.stdout, rep)
	} else {
		err = rep.WriteText(a.stdout)
	}
	if err != nil {
		return err
	}
	for _, p := range rep.Pods {
		for _, img := range p.Images {
			if img.Finding.Cause != doctor.CauseNone {
				return errReported
			}
		}
	}
	return nil
}

// prober builds the registry client doctor asks (registry.Resolver.Probe): plain HTTP to
// --plain-http hosts, the --ca-file authorities beside the system's, no retries (one answer
// per call: a rate limit is reported, not waited out).
func (r *doctorRunner) prober() (*registry.Resolver, error) {
	opts := &registry.Options{PlainHTTP: r.reg.plainHTTP, MaxRetries: -1, Timeout: r.timeout}
	if len(r.caFiles) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		for _, f := range r.caFiles {
			pem, err := os.ReadFile(f)
			if err != nil {
				return nil, inputErr(fmt.Errorf("--ca-file: %w", err))
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, inputErr(fmt.Errorf("--ca-file %s: no PEM certificate", f))
			}
		}
		opts.RootCAs = pool
	}
	res, err := registry.NewResolver(opts)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return res, nil
}
