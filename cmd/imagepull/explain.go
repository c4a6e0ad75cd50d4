package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/pullpolicy"
)

func explainCommand() *command {
	return &command{
		name:    "explain",
		args:    "",
		summary: "for every image of every workload: its pull policy, why, and what the kubelet does",
		help: `Explain reads Kubernetes objects (Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets,
ReplicationControllers, Jobs, CronJobs, PodTemplates and Lists of them; other kinds are
skipped with a note) and, for every image of every pod template (init containers and
sidecars, containers, ephemeral containers, image volumes), prints:
  - the pull policy the API server stores, and why: "set explicitly", "no tag → Always",
    "tag 1.25 → IfNotPresent";
  - what the kubelet does on the node, with its event (type, reason, message, verbatim):
    use the local image, pull, or fail.

The node holds the images given with --present, or those of a real container runtime
(--runtime), or none. The kubelet's image manager (Kubernetes v1.36.3) decides, with the
pod's pull Secrets taken from the Secrets in the input. With --records DIR (the kubelet's
/var/lib/kubelet/image_manager) it also checks, as the kubelet does (KEP-2535), whether the
pod may use an image already on the node or must pull it to prove its access; the directory
is only read. With --registry, images under Always are resolved to digests first (beyond
the kubelet), with the pod's Secrets and --docker-config credentials.

Nothing is pulled. The exit code is 1 when some image's decision fails (ErrImageNeverPull,
InvalidImageName…), and 2 for malformed documents, reported one per line after the rest.`,
		examples: []example{
			{"imagepull explain -f examples/manifests/shop.yaml", "the policies of a Deployment's images, on a node without them"},
			{"helm template ./chart | imagepull explain -f -", "a rendered chart, from standard input"},
			{"imagepull explain -f k8s/ -R --present nginx:1.25.3,redis:7", "every manifest under k8s/, on a node holding two images"},
			{"sudo imagepull explain -f pod.yaml --runtime unix:///run/containerd/containerd.sock --records /var/lib/kubelet/image_manager",
				"what this node's kubelet would do, credential verification included"},
			{"imagepull explain -f pod.yaml --registry --docker-config ~/.docker/config.json -o json", "with the registry's digests, as JSON"},
		},
		minArgs: 0, maxArgs: 0,
		newRunner: func() runner { return &explainRunner{} },
	}
}

type explainRunner struct {
	in      inputFlags
	node    nodeFlags
	records string
	out     *formatFlag
}

func (r *explainRunner) flags(fs *flagSet) {
	r.in.register(fs)
	r.node.register(fs)
	fs.StringVar(&r.records, "records", "", "the kubelet's pull records `DIR` (/var/lib/kubelet/image_manager), read-only, for\nits credential verification (KEP-2535)")
	r.out = fs.output("text", "json")
}

// explainJSON is explain's output.
type explainJSON struct {
	Node      string         `json:"node"`
	Records   string         `json:"records,omitempty"`
	Workloads []workloadJSON `json:"workloads"`
	Skipped   []skippedJSON  `json:"skipped"`
	Errors    []string       `json:"errors"`
}

type workloadJSON struct {
	Source             sourceJSON           `json:"source"`
	APIVersion         string               `json:"apiVersion"`
	Kind               string               `json:"kind"`
	Namespace          string               `json:"namespace,omitempty"`
	Name               string               `json:"name"`
	MissingPullSecrets []string             `json:"missingPullSecrets,omitempty"`
	Images             []explainedImageJSON `json:"images"`
}

// sourceJSON is where an object was read (kube.Source).
type sourceJSON struct {
	File     string `json:"file"`
	Document int    `json:"document"`
	Line     int    `json:"line"`
	Item     *int   `json:"item,omitempty"` // the index in a List; nil outside one
}

func newSourceJSON(s kube.Source) sourceJSON {
	out := sourceJSON{File: s.File, Document: s.Document, Line: s.Line}
	if s.Item >= 0 {
		out.Item = &s.Item
	}
	return out
}

type skippedJSON struct {
	Source     sourceJSON `json:"source"`
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Namespace  string     `json:"namespace,omitempty"`
	Name       string     `json:"name"`
	Reason     string     `json:"reason"`
}

// explainedImageJSON is one image-bearing field and what the kubelet does with it.
type explainedImageJSON struct {
	Kind      kube.ContainerKind `json:"containerKind"`
	Name      string             `json:"name"`
	Path      string             `json:"path"`
	Line      int                `json:"line,omitempty"`
	FieldPath string             `json:"fieldPath,omitempty"`
	Image     string             `json:"image"`
	Policy    pullpolicy.Policy  `json:"policy,omitempty"` // as written
	Effective pullpolicy.Policy  `json:"effective"`
	Why       string             `json:"why"`
	Action    string             `json:"action"`
	PullRef   string             `json:"pullRef,omitempty"`
	ImageRef  string             `json:"imageRef,omitempty"`
	Digest    string             `json:"digest,omitempty"`
	// Refused: the image is on the node, but the pod must pull it to prove its access
	// (KEP-2535), or under Never cannot start.
	Refused bool         `json:"refusedByCredentialVerification,omitempty"`
	Events  []eventJSON  `json:"events"`
	Waiting *waitingJSON `json:"waiting,omitempty"`
}

func (r *explainRunner) run(ctx context.Context, a *app, _ []string) error {
	r.node.credentialsWithoutRegistry = true
	n, err := r.node.open(ctx, a.stderr)
	if err != nil {
		return err
	}
	defer n.close()
	cfg := plannerConfig{store: n.store, keyring: n.keyring}
	if n.provider != nil {
		cfg.provider = n.provider
	}
	if n.resolver != nil {
		if cfg.resolver, err = cachedResolver(n.resolver); err != nil {
			return err
		}
	}
	if r.records != "" {
		recs, err := cache.OpenFileRecordsReadOnly(r.records)
		if err != nil {
			return inputErr(fmt.Errorf("--records: %w", err))
		}
		cfg.records = recs
	}
	p, err := newPlanner(cfg)
	if err != nil {
		return err
	}
	reading := a.newProgress("files", 0)
	in, err := a.read(ctx, &r.in, reading)
	reading.finish()
	if err != nil {
		return err
	}
	out, err := explain(ctx, a, p, in)
	if err != nil {
		return err
	}
	out.Node, out.Records = n.desc, r.records
	if r.out.value == "json" {
		err = writeJSON(a.stdout, out)
	} else {
		err = out.writeText(a.stdout)
	}
	if err != nil {
		return err
	}
	if err := in.malformed(); err != nil {
		return err
	}
	return failing(out)
}

// failing is errReported (exit code 1, as for decide) when some image's decision fails: the
// container cannot start (ErrImageNeverPull, InvalidImageName, a refused pull).
func failing(out explainJSON) error {
	for _, wl := range out.Workloads {
		for _, img := range wl.Images {
			if img.Action == pullpolicy.Fail.String() {
				return errReported
			}
		}
	}
	return nil
}

// explain plans every image of every workload of in.
func explain(ctx context.Context, a *app, p *planner, in *input) (explainJSON, error) {
	out := explainJSON{Workloads: []workloadJSON{}, Skipped: []skippedJSON{}, Errors: []string{}}
	var secrets []corev1.Secret
	total := 0
	for _, m := range in.manifests {
		secrets = append(secrets, m.CoreSecrets()...)
		for _, w := range m.Workloads {
			total += len(w.Template.Spec.InitContainers) + len(w.Template.Spec.Containers) +
				len(w.Template.Spec.EphemeralContainers) + len(w.Template.Spec.Volumes)
		}
	}
	progress := a.newProgress("images", total)
	defer progress.finish()
	for _, m := range in.manifests {
		for _, w := range m.Workloads {
			wj, err := explainWorkload(ctx, p, w, secrets, progress)
			if err != nil {
				return out, err
			}
			out.Workloads = append(out.Workloads, wj)
		}
		for _, s := range m.Skipped {
			out.Skipped = append(out.Skipped, skippedJSON{Source: newSourceJSON(s.Source), APIVersion: s.APIVersion, Kind: s.Kind,
				Namespace: s.Namespace, Name: s.Name, Reason: s.Reason})
		}
	}
	for _, e := range in.errors {
		out.Errors = append(out.Errors, e.Error())
	}
	return out, nil
}

func explainWorkload(ctx context.Context, p *planner, w *kube.Workload, secrets []corev1.Secret, progress *progress) (workloadJSON, error) {
	pod := w.Pod()
	found, missing := kube.PullSecrets(pod.Namespace, pod.Spec.ImagePullSecrets, secrets)
	out := workloadJSON{Source: newSourceJSON(w.Source), APIVersion: w.APIVersion, Kind: w.Kind, Namespace: w.Namespace, Name: w.Name,
		MissingPullSecrets: missing, Images: []explainedImageJSON{}}
	reqs, err := kube.Requests(pod, kube.RequestOptions{PullSecrets: found})
	if err != nil {
		return out, inputErr(fmt.Errorf("%s: %w", w.Source, err))
	}
	for i, img := range w.Images() {
		effective, why := effectivePolicy(img.Image, img.Policy)
		ej := explainedImageJSON{Kind: img.Kind, Name: img.Name, Path: img.Path, Line: w.Line(img.Path), FieldPath: img.FieldPath,
			Image: img.Image, Policy: img.Policy, Effective: effective, Why: why, Events: []eventJSON{}}
		pl, err := p.plan(ctx, reqs[i])
		if err != nil {
			return out, err
		}
		ej.Action, ej.PullRef, ej.ImageRef, ej.Digest, ej.Refused, ej.Waiting =
			pl.Action.String(), pl.PullRef, pl.ImageRef, pl.Digest.String(), pl.Refused, pl.Waiting
		for _, e := range pl.Events {
			ej.Events = append(ej.Events, eventJSON{Type: e.Type, Reason: e.Reason, Message: e.Message, FieldPath: e.FieldPath})
		}
		out.Images = append(out.Images, ej)
		progress.step(1)
	}
	return out, nil
}

func (o explainJSON) writeText(w io.Writer) error {
	fmt.Fprintf(w, "node: %s\n", o.Node)
	if o.Records != "" {
		fmt.Fprintf(w, "pull records: %s\n", o.Records)
	}
	counts := map[string]int{}
	images := 0
	for _, wl := range o.Workloads {
		fmt.Fprintf(w, "\n%s %s  (%s)\n", wl.Kind, qualified(wl.Namespace, wl.Name), location(wl.Source))
		if len(wl.MissingPullSecrets) > 0 {
			fmt.Fprintf(w, "  %s\n", kube.MissingPullSecretsMessage(wl.MissingPullSecrets))
		}
		for _, img := range wl.Images {
			images++
			counts[img.Action]++
			img.writeText(w)
		}
	}
	writeSkipped(w, o.Skipped)
	fmt.Fprintf(w, "\n%d %s in %d %s: %d pulled, %d already on the node, %d failing\n", images, plural(images, "image", "images"),
		len(o.Workloads), plural(len(o.Workloads), "workload", "workloads"),
		counts[pullpolicy.Pull.String()], counts[pullpolicy.UseLocal.String()], counts[pullpolicy.Fail.String()])
	return nil
}

// writeSkipped counts the objects skipped for having no pod template, by kind, in one line
// (a chart renders dozens of Services and ConfigMaps), and lists the others, which are
// workload kinds skipped for a reason worth reading (an API version, a patch without a
// template); -o json lists them all.
func writeSkipped(w io.Writer, skipped []skippedJSON) {
	byKind := map[string]int{}
	var others []skippedJSON
	for _, s := range skipped {
		if s.Reason == noPodTemplate {
			byKind[s.Kind]++
		} else {
			others = append(others, s)
		}
	}
	if n := len(skipped) - len(others); n > 0 {
		kinds := slices.Sorted(maps.Keys(byKind))
		parts := make([]string, len(kinds))
		for i, k := range kinds {
			parts[i] = fmt.Sprintf("%d %s", byKind[k], k)
		}
		fmt.Fprintf(w, "\nskipped %d %s without a pod template: %s (-o json lists them)\n", n, plural(n, "object", "objects"), strings.Join(parts, ", "))
	}
	if len(others) > 0 {
		fmt.Fprintln(w, "\nskipped:")
		for _, s := range others {
			fmt.Fprintf(w, "  %s %s  (%s): %s\n", s.Kind, qualified(s.Namespace, s.Name), location(s.Source), s.Reason)
		}
	}
}

// noPodTemplate is kube's reason for skipping an object of a kind that is not a workload.
const noPodTemplate = "kind has no pod template"

func (img explainedImageJSON) writeText(w io.Writer) {
	fmt.Fprintf(w, "  %s %s: %s\n", img.Kind, img.Name, img.Image)
	fmt.Fprintf(w, "    policy   %s (%s)\n", img.Effective, img.Why)
	verb := map[string]string{"Pull": "pull", "UseLocal": "use", "Fail": "fail"}[img.Action]
	for i, e := range img.Events {
		label := ""
		if i == len(img.Events)-1 {
			label = verb
		}
		fmt.Fprintf(w, "    %-8s %s\n", label, e.text())
	}
	switch wt := img.Waiting; {
	case wt == nil:
	case wt.Reason == pullpolicy.ErrInvalidPolicy.Error():
		fmt.Fprintf(w, "    %-8s the API server rejects the object: %s\n", verb, wt.Message)
	case len(img.Events) == 0:
		fmt.Fprintf(w, "    %-8s %s: %s (no event)\n", verb, wt.Reason, wt.Message)
	case wt.Reason != img.Events[len(img.Events)-1].Reason:
		fmt.Fprintf(w, "    %-8s the container waits with %s\n", "", wt.Reason)
	}
	if img.Digest != "" {
		fmt.Fprintf(w, "    %-8s %s\n", "digest", img.Digest)
	}
	if img.PullRef != "" && img.PullRef != img.Image {
		fmt.Fprintf(w, "    %-8s the runtime is asked for %s\n", "", img.PullRef)
	}
	switch {
	case img.Refused && img.Effective == pullpolicy.Never:
		fmt.Fprintf(w, "    %-8s the image is on the node, but this pod may use it only after a pull, which Never forbids (KEP-2535)\n", "")
	case img.Refused:
		fmt.Fprintf(w, "    %-8s the image is on the node, but this pod must pull it to prove its access (KEP-2535)\n", "")
	case img.Action == pullpolicy.UseLocal.String() && img.Effective == pullpolicy.Always:
		fmt.Fprintf(w, "    %-8s beyond the kubelet: the node holds the registry's digest, so no pull (the kubelet would call the runtime's pull)\n", "")
	}
}

// location is where an object was read: "file:line", with the List item when in one.
func location(s sourceJSON) string {
	file := s.File
	if file == "" {
		file = "-"
	}
	out := fmt.Sprintf("%s:%d", file, s.Line)
	if s.Item != nil {
		out += fmt.Sprintf(", item %d", *s.Item)
	}
	return out
}

// qualified is "namespace/name", or the name alone without a namespace.
func qualified(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}
