package doctor

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/pullpolicy"
)

// nodeStatusMaxImages is the kubelet's default bound on Node.status.images
// (pkg/kubelet/apis/config/v1beta1/defaults.go:210).
const nodeStatusMaxImages = 50

// maxEvents is how many of an image's events a report keeps: the latest.
const maxEvents = 5

// podState is what one pod's diagnosis reads once and every image uses.
type podState struct {
	pod      *corev1.Pod
	report   *PodReport
	keyring  *credential.Keyring // the pod's Secrets; nil when none decode
	ringErr  error               // the kubelet's decoding error of the pod's Secrets
	missing  []string            // pull Secrets that do not exist
	wrong    []SecretReport      // pull Secrets of a type the kubelet ignores
	good     []SecretReport      // pull Secrets that decode
	saOnly   []SecretReport      // the service account's Secrets the pod lacks
	noSecret bool                // the Secrets could not be read (403)
	node     *nodeImages
	events   []corev1.Event // the pod's events; nil when they cannot be read
	noEvents string         // why events are missing
}

// nodeImages is a node's Node.status.images as a local image store.
type nodeImages struct {
	store *cache.Store
	count int
	err   string // why presence cannot be told
}

func (r *run) pod(ctx context.Context, p *corev1.Pod) PodReport {
	rep := PodReport{Namespace: p.Namespace, Name: p.Name, Node: p.Spec.NodeName, ServiceAccount: p.Spec.ServiceAccountName}
	st := &podState{pod: p, report: &rep}
	r.readSecrets(ctx, st)
	r.readServiceAccount(ctx, st)
	st.node = r.readNode(ctx, p.Spec.NodeName)
	st.events, st.noEvents = r.readEvents(ctx, p)
	for _, img := range kube.PodImages(&p.Spec) {
		rep.Images = append(rep.Images, r.image(ctx, st, img))
	}
	return rep
}

// readSecrets fetches the pod's imagePullSecrets one by one, in its order, as the kubelet's
// getPullSecretsForPod does (pkg/kubelet/kubelet_pods.go:1094): an empty name is skipped, a
// Secret that cannot be fetched is left out. Then it builds the kubelet's keyring of those
// found (MakeDockerKeyring, pkg/credentialprovider/secrets/secrets.go:29).
func (r *run) readSecrets(ctx context.Context, st *podState) {
	p := st.pod
	var found []corev1.Secret
	for _, ref := range p.Spec.ImagePullSecrets {
		if ref.Name == "" {
			continue
		}
		s, err := r.secret(ctx, p.Namespace, ref.Name)
		sr := SecretReport{Name: ref.Name, From: "pod"}
		switch {
		case apierrors.IsNotFound(err):
			sr.Status = SecretMissing
			st.missing = append(st.missing, ref.Name)
		case r.deny(err, "get", "secrets", p.Namespace):
			sr.Status, sr.Detail = SecretForbidden, "cannot get secrets"
			st.noSecret = true
		case err != nil:
			sr.Status, sr.Detail = SecretUnreadable, err.Error()
			st.noSecret = true
		default:
			found = append(found, *s)
			sr = checkSecret(s, "pod")
			switch sr.Status {
			case SecretWrongType:
				st.wrong = append(st.wrong, sr)
			case SecretOK:
				st.good = append(st.good, sr)
			}
		}
		st.report.Secrets = append(st.report.Secrets, sr)
	}
	st.keyring, st.ringErr = kube.Keyring(found)
}

// checkSecret says whether the kubelet takes s as a pull Secret, and which registries it
// covers; it never copies a credential.
func checkSecret(s *corev1.Secret, from string) SecretReport {
	sr := SecretReport{Name: s.Name, From: from, Type: string(s.Type), Status: SecretOK}
	cs := kube.CredentialSecret(s)
	var key string
	switch s.Type {
	case corev1.SecretTypeDockerConfigJson:
		key = corev1.DockerConfigJsonKey
	case corev1.SecretTypeDockercfg:
		key = corev1.DockerConfigKey
	default:
		sr.Status = SecretWrongType
		sr.Detail = fmt.Sprintf("type %s is not %s nor %s: the kubelet ignores it", s.Type, corev1.SecretTypeDockerConfigJson, corev1.SecretTypeDockercfg)
		return sr
	}
	data := cs.Data[key]
	if len(data) == 0 {
		sr.Status = SecretWrongType
		sr.Detail = fmt.Sprintf("it has no %s key (or it is empty): the kubelet ignores it", key)
		return sr
	}
	if _, err := credential.FromSecrets([]credential.Secret{cs}); err != nil {
		sr.Status, sr.Detail = SecretBadJSON, err.Error()
		return sr
	}
	sr.Registries = secretRegistries(data, key == corev1.DockerConfigJsonKey)
	return sr
}

// secretRegistries lists the locations of a docker config document, sorted: the keys of
// "auths" (.dockerconfigjson) or of the document (.dockercfg).
func secretRegistries(data []byte, configJSON bool) []string {
	var m map[string]json.RawMessage
	if configJSON {
		var doc struct {
			Auths map[string]json.RawMessage `json:"auths"`
		}
		if json.Unmarshal(data, &doc) != nil {
			return nil
		}
		m = doc.Auths
	} else if json.Unmarshal(data, &m) != nil {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (r *run) secret(ctx context.Context, ns, name string) (*corev1.Secret, error) {
	return get(r, r.secrets, ns+"/"+name, func() (*corev1.Secret, error) {
		return r.d.client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	})
}

// readServiceAccount finds the service account's pull Secrets the pod lacks. The kubelet
// never reads them: the ServiceAccount admission plugin copies them into a pod that names
// none of its own, when the pod is created.
func (r *run) readServiceAccount(ctx context.Context, st *podState) {
	p := st.pod
	name := cmp.Or(p.Spec.ServiceAccountName, "default")
	sa, err := get(r, r.sas, p.Namespace+"/"+name, func() (*corev1.ServiceAccount, error) {
		return r.d.client.CoreV1().ServiceAccounts(p.Namespace).Get(ctx, name, metav1.GetOptions{})
	})
	if err != nil {
		if r.deny(err, "get", "serviceaccounts", p.Namespace) {
			st.report.Notes = append(st.report.Notes, "the service account's pull Secrets were not compared with the pod's (no get serviceaccounts)")
		}
		return
	}
	for _, ref := range sa.ImagePullSecrets {
		if ref.Name == "" || slices.ContainsFunc(p.Spec.ImagePullSecrets, func(l corev1.LocalObjectReference) bool { return l.Name == ref.Name }) {
			continue
		}
		sr := SecretReport{Name: ref.Name, From: "serviceAccount", Status: SecretNotInPod,
			Detail: fmt.Sprintf("service account %s lists it; the pod does not, and the kubelet reads only the pod's list", name)}
		if s, err := r.secret(ctx, p.Namespace, ref.Name); err == nil {
			c := checkSecret(s, "serviceAccount")
			sr.Type, sr.Registries = c.Type, c.Registries
		}
		st.saOnly = append(st.saOnly, sr)
		st.report.Secrets = append(st.report.Secrets, sr)
	}
}

// readNode reads the node's images into a store, keyed by the names the kubelet reports
// (RepoDigests then RepoTags, at most 5; pkg/kubelet/nodestatus/setters.go:409-414).
func (r *run) readNode(ctx context.Context, name string) *nodeImages {
	if name == "" {
		return &nodeImages{err: "the pod is not scheduled to a node yet"}
	}
	n, err := get(r, r.nodes, name, func() (*corev1.Node, error) {
		return r.d.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	})
	switch {
	case r.deny(err, "get", "nodes", ""):
		return &nodeImages{err: "cannot get nodes"}
	case err != nil:
		return &nodeImages{err: "node " + name + ": " + err.Error()}
	}
	out := &nodeImages{store: cache.NewStore(), count: len(n.Status.Images)}
	for i, ci := range n.Status.Images {
		var local pullpolicy.LocalImage
		local.ID = fmt.Sprintf("node-status-image-%d", i)
		for _, name := range ci.Names {
			if strings.Contains(name, "@") {
				local.RepoDigests = append(local.RepoDigests, name)
			} else {
				local.RepoTags = append(local.RepoTags, name)
			}
		}
		_ = out.store.Add(local) // a name the store refuses cannot match an image either
	}
	return out
}

// readEvents lists the events of the pod's namespace once, and keeps the pod's.
func (r *run) readEvents(ctx context.Context, p *corev1.Pod) ([]corev1.Event, string) {
	all, err := get(r, r.events, p.Namespace, func() ([]corev1.Event, error) {
		l, err := r.d.client.CoreV1().Events(p.Namespace).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.kind=Pod"})
		if err != nil {
			return nil, err
		}
		return l.Items, nil
	})
	if err != nil {
		if r.deny(err, "list", "events", p.Namespace) {
			return nil, "no list events"
		}
		return nil, err.Error()
	}
	var out []corev1.Event
	for _, e := range all {
		o := e.InvolvedObject
		if o.Kind == "Pod" && o.Name == p.Name && o.Namespace == p.Namespace && (o.UID == "" || p.UID == "" || o.UID == p.UID) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b corev1.Event) int { return eventTime(a).Compare(eventTime(b)) })
	return out, ""
}

func eventTime(e corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.FirstTimestamp.Time
}
