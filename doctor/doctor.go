package doctor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/imagepull/imagepull/credential"
)

// The defaults of [Options].
const (
	DefaultProbeTimeout = 10 * time.Second
	DefaultMaxProbes    = 2000
	DefaultPerRegistry  = 4
	DefaultWorkers      = 8
)

// Options configures a [Doctor]. The zero value asks no registry.
type Options struct {
	// Prober asks the registry; nil means the registry is not asked and the diagnosis
	// stops at what the API server tells.
	Prober Prober
	// Provider is the node's credential provider plugins (package credential/plugin),
	// when the caller knows them; nil means none are run.
	Provider credential.Provider
	// NodeKeyring is the node's docker config, when the caller knows it; nil means it is
	// unknown (it cannot be read from the API server), which the report says.
	NodeKeyring *credential.Keyring
	// ProbeTimeout bounds one registry call. Zero means DefaultProbeTimeout.
	ProbeTimeout time.Duration
	// MaxProbes bounds the registry calls of one Diagnose. Zero means DefaultMaxProbes.
	MaxProbes int
	// PerRegistry bounds the registry calls in flight to one registry host. Zero means
	// DefaultPerRegistry.
	PerRegistry int
	// Workers bounds the pods diagnosed at once. Zero means DefaultWorkers.
	Workers int
	// Progress, when set, is called after each pod with the pods done and their total.
	Progress func(done, total int)
}

// Doctor diagnoses pods' image pulls against one cluster. It remembers what it read
// (Secrets, nodes, service accounts) and what registries answered for the length of one
// [Doctor.Diagnose]. It is safe for concurrent use.
type Doctor struct {
	client kubernetes.Interface
	opts   Options
}

// New returns a Doctor reading the cluster through client.
func New(client kubernetes.Interface, opts *Options) *Doctor {
	d := &Doctor{client: client}
	if opts != nil {
		d.opts = *opts
	}
	if d.opts.ProbeTimeout <= 0 {
		d.opts.ProbeTimeout = DefaultProbeTimeout
	}
	if d.opts.MaxProbes <= 0 {
		d.opts.MaxProbes = DefaultMaxProbes
	}
	if d.opts.PerRegistry <= 0 {
		d.opts.PerRegistry = DefaultPerRegistry
	}
	if d.opts.Workers <= 0 {
		d.opts.Workers = DefaultWorkers
	}
	return d
}

// Target says which pods to diagnose.
type Target struct {
	// Kind is "pod", "deployment", "statefulset", "daemonset", "replicaset",
	// "replicationcontroller", "job" or "cronjob"; "" with an empty Name means every pod
	// whose containers wait on an image reason.
	Kind string
	Name string
	// Namespace is the namespace; "" with AllNamespaces means every namespace.
	Namespace     string
	AllNamespaces bool
}

// ParseTarget reads "pod/NAME", "deploy/NAME", "deployment.apps/NAME" and so on, as kubectl
// names them; a bare NAME is a pod.
func ParseTarget(s string) (kind, name string, err error) {
	kind, name, ok := strings.Cut(s, "/")
	if !ok {
		kind, name = "pod", s
	}
	kind, _, _ = strings.Cut(strings.ToLower(kind), ".")
	if name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("target %q: want KIND/NAME, such as pod/web-0 or deployment/web", s)
	}
	if k := canonicalKind(kind); k != "" {
		return k, name, nil
	}
	return "", "", fmt.Errorf("target %q: unknown kind %q: use pod, deployment, statefulset, daemonset, replicaset, replicationcontroller, job or cronjob", s, kind)
}

// canonicalKind is the kind kubectl's name or short name stands for; "" for none.
func canonicalKind(kind string) string {
	switch kind {
	case "pod", "pods", "po":
		return "pod"
	case "deployment", "deployments", "deploy":
		return "deployment"
	case "statefulset", "statefulsets", "sts":
		return "statefulset"
	case "daemonset", "daemonsets", "ds":
		return "daemonset"
	case "replicaset", "replicasets", "rs":
		return "replicaset"
	case "replicationcontroller", "replicationcontrollers", "rc":
		return "replicationcontroller"
	case "job", "jobs":
		return "job"
	case "cronjob", "cronjobs", "cj":
		return "cronjob"
	}
	return ""
}

// ImageWaitingReasons returns the waiting reasons of a container whose image the kubelet
// could not provide (pkg/kubelet/images/types.go:29-41), with "RegistryUnavailable" and
// "SignatureValidationFailed" (pkg/kubelet/images/types.go). A pod with a container waiting on
// one of them is picked by an empty [Target]; so is one waiting on a reason that is none of
// the kubelet's words (a pull Secret's decoding error).
func ImageWaitingReasons() []string {
	return []string{"ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName", "ImageInspectError", "RegistryUnavailable", "SignatureValidationFailed"}
}

// waitsOnImage reports whether reason is an image reason: one of ImageWaitingReasons, or a
// reason none of the kubelet's, which is how a Secret's decoding error appears.
func waitsOnImage(reason string) bool {
	switch reason {
	case "":
		return false
	case "ContainerCreating", "PodInitializing", "CrashLoopBackOff", "CreateContainerConfigError",
		"CreateContainerError", "RunContainerError", "PreStartHookError", "PostStartHookError",
		"ContainerStatusUnknown":
		return false // the kubelet's other waiting reasons
	}
	return true
}

// run is the state of one Diagnose: what was read, what registries answered.
type run struct {
	d         *Doctor
	probes    atomic.Int64
	budgetHit atomic.Bool

	mu        sync.Mutex
	forbidden map[Forbidden]bool
	secrets   map[string]*memo[*corev1.Secret]
	nodes     map[string]*memo[*corev1.Node]
	sas       map[string]*memo[*corev1.ServiceAccount]
	answers   map[string]*memo[ProbeResult]
	hosts     map[string]chan struct{}
	events    map[string]*memo[[]corev1.Event] // by namespace
}

// memo is one value computed once.
type memo[T any] struct {
	once sync.Once
	v    T
	err  error
}

func get[T any](r *run, m map[string]*memo[T], key string, f func() (T, error)) (T, error) {
	r.mu.Lock()
	e, ok := m[key]
	if !ok {
		e = &memo[T]{}
		m[key] = e
	}
	r.mu.Unlock()
	e.once.Do(func() { e.v, e.err = f() })
	return e.v, e.err
}

// deny records a refused read when err is a 403, and reports whether it was.
func (r *run) deny(err error, verb, resource, namespace string) bool {
	if !apierrors.IsForbidden(err) {
		return false
	}
	r.mu.Lock()
	r.forbidden[Forbidden{Verb: verb, Resource: resource, Namespace: namespace}] = true
	r.mu.Unlock()
	return true
}

// Diagnose diagnoses the pods of t. A read the caller is not allowed degrades the report
// (see [Report.Forbidden]); it is an error only when no pod can be listed or read.
func (d *Doctor) Diagnose(ctx context.Context, t Target) (*Report, error) {
	r := &run{d: d, forbidden: map[Forbidden]bool{},
		secrets: map[string]*memo[*corev1.Secret]{}, nodes: map[string]*memo[*corev1.Node]{},
		sas: map[string]*memo[*corev1.ServiceAccount]{}, answers: map[string]*memo[ProbeResult]{},
		hosts: map[string]chan struct{}{}, events: map[string]*memo[[]corev1.Event]{}}
	ns := t.Namespace
	if t.AllNamespaces {
		ns = ""
	}
	pods, err := r.pods(ctx, t, ns)
	if err != nil {
		return nil, err
	}
	rep := &Report{Pods: make([]PodReport, len(pods))}
	var done atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.opts.Workers)
	for i := range pods {
		g.Go(func() error {
			rep.Pods[i] = r.pod(gctx, &pods[i])
			n := done.Add(1)
			if d.opts.Progress != nil {
				d.opts.Progress(int(n), len(pods))
			}
			return gctx.Err()
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for f := range r.forbidden {
		rep.Forbidden = append(rep.Forbidden, f)
	}
	slices.SortFunc(rep.Forbidden, func(a, b Forbidden) int { return strings.Compare(a.String(), b.String()) })
	switch {
	case len(pods) == 0 && t.Name == "":
		rep.Notes = append(rep.Notes, "no pod has a container waiting on an image reason ("+strings.Join(ImageWaitingReasons()[:4], ", ")+", …)")
	case len(pods) == 0:
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s/%s has no pods", t.Kind, t.Name))
	}
	if len(pods) > 0 && d.opts.NodeKeyring == nil {
		rep.Notes = append(rep.Notes, "the node's own docker config (the kubelet's config.json) cannot be read from the API: credentials it holds come after the pod's Secrets and are not shown")
	}
	if r.budgetHit.Load() {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the registry call budget (%d) was spent: later images were not asked about", d.opts.MaxProbes))
	}
	return rep, nil
}

// errNoAccess wraps a refused read that leaves nothing to diagnose.
var errNoAccess = errors.New("forbidden")

// accessError returns err of a read (verb resource in ns) that leaves nothing to diagnose: a 403
// wrapped in errNoAccess with the verb to grant, any other error as it is.
func accessError(verb, resource, ns string, err error) error {
	if !apierrors.IsForbidden(err) {
		return err
	}
	where := ""
	if ns != "" {
		where = " in namespace " + ns
	}
	return fmt.Errorf("%w: cannot %s %s%s (the ClusterRole in examples/doctor/clusterrole.yaml grants it): %v", errNoAccess, verb, resource, where, err)
}

// pods finds the pods of t, sorted by namespace and name.
func (r *run) pods(ctx context.Context, t Target, ns string) ([]corev1.Pod, error) {
	c := r.d.client
	var pods []corev1.Pod
	switch {
	case t.Kind == "" && t.Name == "":
		list, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, accessError("list", "pods", ns, err)
		}
		for _, p := range list.Items {
			if podWaitsOnImage(&p) {
				pods = append(pods, p)
			}
		}
	case t.Kind == "pod":
		p, err := c.CoreV1().Pods(ns).Get(ctx, t.Name, metav1.GetOptions{})
		if err != nil {
			return nil, accessError("get", "pods", ns, err)
		}
		pods = []corev1.Pod{*p}
	default:
		var err error
		if pods, err = r.workloadPods(ctx, t.Kind, t.Name, ns); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(pods, func(a, b corev1.Pod) int {
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return pods, nil
}

// podWaitsOnImage reports whether a container of p waits on an image reason.
func podWaitsOnImage(p *corev1.Pod) bool {
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses, p.Status.EphemeralContainerStatuses} {
		for _, s := range list {
			if s.State.Waiting != nil && waitsOnImage(s.State.Waiting.Reason) {
				return true
			}
		}
	}
	return false
}
