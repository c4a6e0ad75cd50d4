package dialect

import (
	"encoding/json"
	"time"

	"github.com/imagepull/imagepull/pullpolicy"
)

// Decision is the outcome of [Decide]. The embedded [pullpolicy.Decision] carries the same
// vocabulary as [pullpolicy.Decide] — Action (UseLocal, Pull, Fail), the local image or the
// reference to pull, the registry's digest, the kubelet's Reason and Message — and its Policy
// is the Kubernetes policy the deciding step applied. The fields below say what the dialect
// did beyond Kubernetes. It is filled in on failure too.
type Decision struct {
	pullpolicy.Decision

	// System and Dialect are the policy decided with: Dialect is [Policy.Name].
	System  System
	Dialect string
	// Step is the index, in [Policy.Steps], of the entry of a GitLab list that decided; 0
	// for every other system.
	Step int
	// Tolerated is the failure the dialect went past: the registry error after which Podman's
	// newer or ECS's default used the local image, or the failures of the GitLab list entries
	// before Step (joined). Nil when nothing was tolerated.
	Tolerated error
	// Build is set under Compose's build: the system builds the image and never pulls it.
	Build bool
	// RefreshAt is when a Compose refresh policy next asks the registry about a present
	// image (its last pull or tag time plus the window), when the decision did not ask; zero
	// otherwise.
	RefreshAt time.Time
	// Note is [Policy.Note]: a value the system replaced without saying so.
	Note string
}

// decisionJSON is the JSON form of a Decision.
type decisionJSON struct {
	System     System            `json:"system"`
	Dialect    string            `json:"dialect"`
	Step       int               `json:"step,omitempty"`
	Kubernetes pullpolicy.Policy `json:"kubernetesPolicy,omitempty"`
	Action     pullpolicy.Action `json:"action"`
	Image      string            `json:"image"`
	Local      *localJSON        `json:"local,omitempty"`
	PullRef    string            `json:"pullRef,omitempty"`
	Digest     string            `json:"digest,omitempty"`
	Stale      *staleJSON        `json:"stale,omitempty"`
	Reason     string            `json:"reason"`
	Message    string            `json:"message"`
	Tolerated  string            `json:"tolerated,omitempty"`
	Build      bool              `json:"build,omitempty"`
	RefreshAt  *time.Time        `json:"refreshAt,omitempty"`
	Note       string            `json:"note,omitempty"`
}

// localJSON is the JSON form of the local image of a Decision.
type localJSON struct {
	ID          string     `json:"id"`
	RepoTags    []string   `json:"repoTags,omitempty"`
	RepoDigests []string   `json:"repoDigests,omitempty"`
	Size        int64      `json:"size,omitempty"`
	Pulled      *time.Time `json:"pulled,omitempty"`
}

// staleJSON is the JSON form of a stale registry answer.
type staleJSON struct {
	Digest string `json:"digest"`
	Age    string `json:"age"`
	Error  string `json:"error,omitempty"`
}

// MarshalJSON encodes d as one flat object with lower-camel-case names: system, dialect,
// step, kubernetesPolicy, action, image (as written), local {id, repoTags, repoDigests, size,
// pulled}, pullRef, digest, stale {digest, age, error}, reason, message, tolerated (the
// error's text), build, refreshAt and note. Empty fields are left out, except action, image,
// reason and message.
func (d Decision) MarshalJSON() ([]byte, error) {
	out := decisionJSON{
		System: d.System, Dialect: d.Dialect, Step: d.Step, Kubernetes: d.Policy, Action: d.Action,
		Image: d.Image.Original(), PullRef: d.PullRef.String(), Digest: string(d.Digest),
		Reason: d.Reason, Message: d.Message, Build: d.Build, Note: d.Note,
	}
	if d.Local.ID != "" {
		l := &localJSON{ID: d.Local.ID, RepoTags: d.Local.RepoTags, RepoDigests: d.Local.RepoDigests, Size: d.Local.Size}
		if !d.Local.Pulled.IsZero() {
			l.Pulled = &d.Local.Pulled
		}
		out.Local = l
	}
	if s := d.Stale; s != nil {
		out.Stale = &staleJSON{Digest: string(s.Digest), Age: s.Age.String()}
		if s.Err != nil {
			out.Stale.Error = s.Err.Error()
		}
	}
	if d.Tolerated != nil {
		out.Tolerated = d.Tolerated.Error()
	}
	if !d.RefreshAt.IsZero() {
		out.RefreshAt = &d.RefreshAt
	}
	return json.Marshal(out)
}
