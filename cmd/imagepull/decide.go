package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/imagepull/imagepull/internal/quote"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/dialect"
	"github.com/imagepull/imagepull/reference"
)

func decideCommand() *command {
	return &command{
		name:    "decide",
		args:    "IMAGE",
		summary: "one pull decision for an image, a policy and a node",
		help: `Decide prints what the kubelet does with IMAGE under a pull policy on a node: use the
local image, pull, or fail, with the kubelet's event (type, reason and message, verbatim).
Without --policy the policy is the one the API server fills in for an empty field (only
the tag counts: no tag or "latest" → Always, anything else → IfNotPresent).

The node holds the images given with --present, or those of a real container runtime
(--runtime), or none. With --registry the registry is asked for the tag's digest under
Always, and an image already on the node with that digest is used (beyond the kubelet,
which always calls the runtime's pull under Always).

With --dialect, --policy is another system's pull policy, spelled as that system spells it
(Podman's newer, Compose's daily or every_12h, ECS's once, Nomad's force_pull, a GitLab
Runner list such as "always,if-not-present"), decided as that system decides on the same
node and registry, with the nearest Kubernetes imagePullPolicy. Images given with
--present have no pull time: Compose's refresh windows count them as long expired.

The exit code is 1 when the decision is a failure (ErrImageNeverPull, an invalid name, a
registry error).`,
		examples: []example{
			{"imagepull decide nginx", "no tag: the API server's default is Always, and the kubelet pulls"},
			{"imagepull decide nginx:1.25 --present nginx:1.25", "IfNotPresent by default; the image is on the node"},
			{"imagepull decide nginx:1.25 --policy Never", "Never on a node without the image: ErrImageNeverPull"},
			{"imagepull decide registry.example/app:v1 --policy Always --registry --docker-config ~/.docker/config.json --runtime unix:///run/containerd/containerd.sock",
				"ask the registry for the digest and the node's containerd whether it holds it"},
			{"imagepull decide nginx:1.25 --dialect podman --policy newer --registry --present nginx:1.25", "Podman's newer: a HEAD request, and no pull when the digest is unchanged"},
			{"imagepull decide nginx:1.25 -o json", "the decision as JSON"},
		},
		minArgs: 1, maxArgs: 1,
		newRunner: func() runner { return &decideRunner{} },
	}
}

type decideRunner struct {
	policy  string
	dialect string
	node    nodeFlags
	out     *formatFlag
}

func (r *decideRunner) flags(fs *flagSet) {
	fs.StringVar(&r.policy, "policy", "", "the imagePullPolicy `POLICY`: Always, IfNotPresent or Never (case-sensitive);\nempty means the API server's default for the image. With --dialect, a policy\nas that system spells it")
	fs.StringVar(&r.dialect, "dialect", "", "decide as `SYSTEM` does: "+strings.Join(systemNames(), ", ")+"\n(the nearest Kubernetes policy is shown too)")
	r.node.register(fs)
	r.out = fs.output("text", "json")
}

func (r *decideRunner) run(ctx context.Context, a *app, args []string) error {
	var written pullpolicy.Policy
	var dp dialect.Policy
	switch {
	case r.dialect != "":
		sys, err := dialect.ParseSystem(r.dialect)
		if err != nil {
			return usagef("--dialect: %v", err)
		}
		if dp, err = dialect.Parse(sys, r.policy); err != nil {
			return usagef("--policy: %v", err)
		}
	case r.policy != "":
		p, err := pullpolicy.ParsePolicy(r.policy)
		if err != nil {
			return usagef("--policy: %v", err)
		}
		written = p
	}
	n, err := r.node.open(ctx, a.stderr)
	if err != nil {
		return err
	}
	defer n.close()
	image := args[0]
	var resolver pullpolicy.Resolver
	if n.resolver != nil {
		creds, err := n.providerCredentials(ctx, image)
		if err != nil {
			return err
		}
		resolver = n.resolver.WithCredentials(creds)
	}
	var out decisionJSON
	var failed bool
	if r.dialect != "" {
		d, pe, err := decideDialect(ctx, dp, image, n.store, resolver)
		if err != nil {
			return err
		}
		out, failed = newDialectDecisionJSON(image, n.desc, dp, d, pe, resolver != nil), d.Action == pullpolicy.Fail
	} else {
		d, pe, err := decide(ctx, written, image, n.store, resolver)
		if err != nil {
			return err
		}
		out, failed = newDecisionJSON(image, written, n.desc, d, pe), d.Action == pullpolicy.Fail
	}
	if r.out.value == "json" {
		err = writeJSON(a.stdout, out)
	} else {
		err = out.writeText(a.stdout)
	}
	if err == nil && failed {
		return errReported
	}
	return err
}

// decide is pullpolicy.Decide for an image string. A failing decision is returned with its
// *pullpolicy.Error; err is for anything else (an interruption).
func decide(ctx context.Context, policy pullpolicy.Policy, image string, store pullpolicy.Store, resolver pullpolicy.Resolver) (pullpolicy.Decision, *pullpolicy.Error, error) {
	img, perr := reference.Parse(image)
	if perr != nil {
		d, pe := invalidName(image, policy, perr)
		return d, pe, nil
	}
	d, err := pullpolicy.Decide(ctx, policy, img, store, resolver)
	pe, err := failure(ctx, err)
	return d, pe, err
}

// invalidName is the kubelet's answer for an image name that does not parse: a failure with
// the InspectFailed event and InvalidImageName, as Decide gives it for an invalid Image
// (which cannot carry the string as written).
func invalidName(image string, policy pullpolicy.Policy, perr error) (pullpolicy.Decision, *pullpolicy.Error) {
	msg := quote.Wrap("Failed to apply default image tag ", image, ": "+perr.Error())
	d := pullpolicy.Decision{Policy: policy, Action: pullpolicy.Fail, Reason: pullpolicy.ReasonInspectFailed, Message: msg}
	return d, &pullpolicy.Error{Reason: pullpolicy.ErrInvalidImageName, Image: image, Policy: policy, Message: msg, Err: perr}
}

// failure sorts a decision's error: a *pullpolicy.Error is the decision's failure, to show;
// anything else, or an interrupted ctx, is the command's error.
func failure(ctx context.Context, err error) (*pullpolicy.Error, error) {
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var pe *pullpolicy.Error
	if err != nil && !errors.As(err, &pe) {
		return nil, err
	}
	return pe, nil
}

// decisionJSON is a decision in the output.
type decisionJSON struct {
	Image        string            `json:"image"`
	Policy       pullpolicy.Policy `json:"policy"`
	PolicySource string            `json:"policySource"` // "explicit" or "default"
	Why          string            `json:"why,omitempty"`
	Node         string            `json:"node"`
	Action       string            `json:"action"`
	PullRef      string            `json:"pullRef,omitempty"`
	Digest       string            `json:"digest,omitempty"`
	LocalID      string            `json:"localImageID,omitempty"`
	Stale        bool              `json:"stale,omitempty"`
	Event        *eventJSON        `json:"event,omitempty"`
	Waiting      *waitingJSON      `json:"waiting,omitempty"`
	Dialect      *dialectJSON      `json:"dialect,omitempty"`
}

// waitingJSON is a failure as the pod status shows it: the container's waiting reason and
// message.
type waitingJSON struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

func newDecisionJSON(image string, written pullpolicy.Policy, node string, d pullpolicy.Decision, pe *pullpolicy.Error) decisionJSON {
	policy, why := effectivePolicy(image, written)
	out := decisionJSON{Image: image, Policy: policy, Why: why, Node: node, Action: d.Action.String(),
		Digest: string(d.Digest), Stale: d.Stale != nil, PolicySource: "default"}
	if written != "" {
		out.PolicySource = "explicit"
	}
	switch d.Action {
	case pullpolicy.Pull:
		out.PullRef = d.PullRef.String()
	case pullpolicy.UseLocal:
		out.LocalID = d.Local.ID
	}
	if d.Reason != "" {
		out.Event = &eventJSON{Type: eventType(d.Reason), Reason: d.Reason, Message: d.Message}
	}
	if pe != nil {
		out.Waiting = &waitingJSON{Reason: pe.Reason.Error(), Message: pe.Message}
	}
	return out
}

func (d decisionJSON) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "image\t%s\n", d.Image)
	if x := d.Dialect; x != nil {
		x.writeText(tw)
	} else {
		fmt.Fprintf(tw, "policy\t%s (%s)\n", d.Policy, d.Why)
	}
	fmt.Fprintf(tw, "node\t%s\n", d.Node)
	switch {
	case d.PullRef != "":
		fmt.Fprintf(tw, "decision\t%s %s\n", d.Action, d.PullRef)
	case d.LocalID != "":
		fmt.Fprintf(tw, "decision\t%s %s\n", d.Action, d.LocalID)
	case d.Waiting != nil:
		fmt.Fprintf(tw, "decision\t%s %s\n", d.Action, d.Waiting.Reason)
	}
	if d.Digest != "" {
		digest := d.Digest
		if d.Stale {
			digest += " (stale: the registry is unavailable)"
		}
		fmt.Fprintf(tw, "registry\t%s\n", digest)
	}
	if d.Event != nil {
		label := "event" // the kubelet's
		if d.Dialect != nil {
			label = "outcome" // in the library's vocabulary: the system emits no such event
		}
		fmt.Fprintf(tw, "%s\t%s\n", label, d.Event.text())
	}
	if d.Waiting != nil && (d.Event == nil || d.Waiting.Message != d.Event.Message) {
		fmt.Fprintf(tw, "waiting\t%s: %s\n", d.Waiting.Reason, d.Waiting.Message)
	}
	return tw.Flush()
}
