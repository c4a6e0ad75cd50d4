package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

func recordsCommand() *command {
	return &command{
		name:    "records",
		args:    "DIR",
		summary: "list a kubelet's pull records (KEP-2535): who may use which image",
		help: `Records reads a kubelet's pull records directory (DIR is /var/lib/kubelet/image_manager on
a node, with pulling/ and pulled/ inside) and lists, for each image the kubelet pulled, the
names it was pulled under and who may use it without pulling again. A name is the pod's image
string without tag or digest, as written: the kubelet keys "nginx:1.25" as "nginx" and
"docker.io/library/nginx:1.25" as "docker.io/library/nginx", two names. Who: every pod
(pulled anonymously or with node credentials), the pods with one of the named Secrets
(same content hash, or same namespace, name and UID), or the pods of the named service
accounts. An image recorded without credentials must be pulled by every pod that wants it.

Unfinished pulls (intents) are listed too: a pull in progress, or one a crash interrupted.
Files that cannot be read are reported and the rest is listed. The directory is only read:
nothing is created, migrated or removed (unlike the kubelet at startup).`,
		examples: []example{
			{"sudo imagepull records /var/lib/kubelet/image_manager", "who may use each image this node's kubelet pulled"},
			{"imagepull records ./image_manager -o json", "the records as JSON"},
		},
		minArgs: 1, maxArgs: 1,
		newRunner: func() runner { return &recordsRunner{} },
	}
}

type recordsRunner struct{ out *formatFlag }

func (r *recordsRunner) flags(fs *flagSet) { r.out = fs.output("text", "json") }

// recordsJSON is the listing of a records directory.
type recordsJSON struct {
	Dir      string       `json:"dir"`
	Images   []recordJSON `json:"images"`
	Intents  []string     `json:"unfinishedPulls"`
	Problems []string     `json:"problems"`
}

type recordJSON struct {
	ImageRef     string           `json:"imageRef"`
	LastUpdated  *time.Time       `json:"lastUpdated,omitempty"`
	Repositories []repositoryJSON `json:"repositories"`
}

type repositoryJSON struct {
	Repository      string               `json:"repository"`
	AllPods         bool                 `json:"allPods"`
	Secrets         []secretJSON         `json:"secrets"`
	ServiceAccounts []serviceAccountJSON `json:"serviceAccounts"`
}

// secretJSON and serviceAccountJSON have the field names of the kubelet's record files.
type secretJSON struct {
	UID            string `json:"uid"`
	Namespace      string `json:"namespace"`
	Name           string `json:"name"`
	CredentialHash string `json:"credentialHash"`
}

type serviceAccountJSON struct {
	UID       string `json:"uid"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

func (r *recordsRunner) run(_ context.Context, a *app, args []string) error {
	dir := args[0]
	recs, err := cache.OpenFileRecordsReadOnly(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return inputErr(fmt.Errorf("no pull records directory %s", dir))
		}
		return inputErr(err)
	}
	out := recordsJSON{Dir: dir, Images: []recordJSON{}, Intents: []string{}, Problems: []string{}}
	intents, ierr := recs.ListPullIntents()
	for _, in := range intents {
		out.Intents = append(out.Intents, in.Image)
	}
	pulled, perr := recs.ListPulledRecords()
	for _, rec := range pulled {
		out.Images = append(out.Images, newRecordJSON(rec))
	}
	slices.SortFunc(out.Images, func(x, y recordJSON) int { return strings.Compare(x.ImageRef, y.ImageRef) })
	out.Problems = append(problems(ierr), problems(perr)...)
	if r.out.value == "json" {
		return writeJSON(a.stdout, out)
	}
	return out.writeText(a.stdout)
}

func newRecordJSON(rec pullmanager.PulledRecord) recordJSON {
	out := recordJSON{ImageRef: rec.ImageRef, Repositories: []repositoryJSON{}}
	if !rec.LastUpdatedTime.IsZero() {
		t := rec.LastUpdatedTime.UTC()
		out.LastUpdated = &t
	}
	for _, repo := range slices.Sorted(maps.Keys(rec.CredentialMapping)) {
		c := rec.CredentialMapping[repo]
		r := repositoryJSON{Repository: repo, AllPods: c.NodePodsAccessible, Secrets: []secretJSON{}, ServiceAccounts: []serviceAccountJSON{}}
		for _, s := range c.KubernetesSecrets {
			r.Secrets = append(r.Secrets, secretJSON(s))
		}
		for _, sa := range c.KubernetesServiceAccounts {
			r.ServiceAccounts = append(r.ServiceAccounts, serviceAccountJSON(sa))
		}
		out.Repositories = append(out.Repositories, r)
	}
	return out
}

// problems splits the joined errors of a listing into one line each.
func problems(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, problems(e)...)
		}
		return out
	}
	return []string{err.Error()}
}

func (o recordsJSON) writeText(w io.Writer) error {
	fmt.Fprintf(w, "%s: %d %s, %d unfinished %s, %d %s\n", o.Dir,
		len(o.Images), plural(len(o.Images), "image", "images"),
		len(o.Intents), plural(len(o.Intents), "pull", "pulls"),
		len(o.Problems), plural(len(o.Problems), "unreadable file", "unreadable files"))
	for _, img := range o.Images {
		fmt.Fprintf(w, "\n%s", img.ImageRef)
		if img.LastUpdated != nil {
			fmt.Fprintf(w, " (recorded %s)", img.LastUpdated.Format(time.RFC3339))
		}
		fmt.Fprintln(w)
		if len(img.Repositories) == 0 {
			fmt.Fprintln(w, "  no credentials recorded: every pod must pull it to prove its access")
		}
		for _, r := range img.Repositories {
			fmt.Fprintf(w, "  %s\n", r.Repository)
			writeWho(w, r)
		}
	}
	if len(o.Intents) > 0 {
		fmt.Fprintln(w, "\nunfinished pulls (in progress, or interrupted: the kubelet records them at its next start):")
		for _, image := range o.Intents {
			fmt.Fprintf(w, "  %s\n", image)
		}
	}
	if len(o.Problems) > 0 {
		fmt.Fprintln(w, "\nunreadable files (the kubelet makes pods pull these images again):")
		for _, p := range o.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	return nil
}

// writeWho writes who may use a repository's image without pulling it.
func writeWho(w io.Writer, r repositoryJSON) {
	if r.AllPods {
		fmt.Fprintln(w, "    all pods (pulled without pod credentials)")
	}
	for _, s := range r.Secrets {
		hash := s.CredentialHash
		if len(hash) > 12 {
			hash = hash[:12] + "…"
		}
		if hash == "" {
			hash = "none"
		}
		fmt.Fprintf(w, "    secret %s/%s (uid %s, credential hash %s)\n", s.Namespace, s.Name, s.UID, hash)
	}
	for _, sa := range r.ServiceAccounts {
		fmt.Fprintf(w, "    service account %s/%s (uid %s)\n", sa.Namespace, sa.Name, sa.UID)
	}
	if !r.AllPods && len(r.Secrets) == 0 && len(r.ServiceAccounts) == 0 {
		fmt.Fprintln(w, "    nobody without a pull: no credentials recorded")
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
