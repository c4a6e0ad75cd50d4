package doctor

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// tried is one credential the kubelet would try, with its label.
type tried struct {
	cred  *credential.Credential // nil: anonymous
	label string
}

func (r *run) image(ctx context.Context, st *podState, ki kube.Image) ImageReport {
	kind, _ := ki.Kind.MarshalText()
	ir := ImageReport{Kind: string(kind), Name: ki.Name, Image: ki.Image, Path: ki.Path,
		PolicyWritten: string(ki.Policy), Policy: string(ki.Effective)}
	ir.PolicyEffect = policyEffect(ki)
	ir.Actual = actual(st, ki)
	img, err := reference.Parse(ki.Image)
	if err != nil {
		ir.Presence = Presence{State: Unknown, Why: "the name does not parse"}
		ir.Finding = Finding{Cause: CauseInvalidName, Summary: err.Error(),
			Hint: fmt.Sprintf("fix %s: write a valid reference such as registry.example.com/team/app:v1", ki.Path)}
		agree(&ir, st)
		return ir
	}
	ir.Presence = presence(ctx, st.node, img)
	creds := r.credentials(ctx, st, ki, img, &ir)

	pull := true
	switch ki.Effective {
	case pullpolicy.Never:
		pull = false
		switch ir.Presence.State {
		case Absent:
			ir.Finding = Finding{Cause: CauseNeverAbsent,
				Summary: fmt.Sprintf("the policy is Never and node %s does not hold %s: the kubelet fails with ErrImageNeverPull", st.pod.Spec.NodeName, img),
				Hint:    fmt.Sprintf("set %s to IfNotPresent, or load %s onto node %s", ki.PolicyPath, img, st.pod.Spec.NodeName)}
		case Unknown:
			ir.Finding = Finding{Cause: CauseUnknown, Summary: "the policy is Never and whether the node holds the image cannot be told: " + ir.Presence.Why,
				Hint: fmt.Sprintf("on node %s run: crictl inspecti %s", cmpOr(st.pod.Spec.NodeName, "NODE"), img)}
		default:
			if ir.Actual.Reason == pullpolicy.ErrImageNeverPull.Error() {
				ir.Finding = Finding{Cause: CauseKEP2535,
					Summary: "the image is on the node but was pulled with other credentials; with KubeletEnsureSecretPulledImages the kubelet lets a pod use it only with credentials it has seen work, and Never forbids the pull that would check them",
					Hint:    fmt.Sprintf("set %s to IfNotPresent so the pod pulls with its own credentials, or give it the pull Secret the image was pulled with", ki.PolicyPath)}
			} else {
				ir.Finding = Finding{Cause: CauseNone, Summary: "the policy is Never and the node holds the image: the kubelet uses it"}
			}
		}
	case pullpolicy.IfNotPresent:
		if ir.Presence.State == Present {
			pull = waitsOnPull(ir.Actual.Reason)
			if !pull {
				ir.Finding = Finding{Cause: CauseNone, Summary: "the node holds the image and the policy is IfNotPresent: the kubelet uses it without a pull"}
			}
		}
	}
	if pull {
		r.pullFinding(ctx, st, ki, img, creds, &ir)
	}
	agree(&ir, st)
	return ir
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// waitsOnPull reports whether reason says a pull failed.
func waitsOnPull(reason string) bool {
	return reason == pullpolicy.ErrImagePull.Error() || reason == pullpolicy.ErrImagePullBackOff.Error()
}

func policyEffect(ki kube.Image) string {
	switch ki.Effective {
	case pullpolicy.Always:
		return "the registry is asked at every container start"
	case pullpolicy.IfNotPresent:
		return "pulled when the node lacks it (and, under KEP-2535, when this pod's credentials were not seen to reach it)"
	case pullpolicy.Never:
		return "never pulled: it must be on the node"
	}
	return "not a policy the API server accepts"
}

// presence looks img up in the node's images as the runtime would: by digest when it has
// one, otherwise by tag.
func presence(ctx context.Context, n *nodeImages, img reference.Image) Presence {
	if n.store == nil {
		return Presence{State: Unknown, Why: n.err}
	}
	local, ok, err := n.store.Lookup(ctx, img)
	switch {
	case err != nil:
		return Presence{State: Unknown, Why: err.Error()}
	case ok:
		name := img.String()
		if names := append(slices.Clone(local.RepoDigests), local.RepoTags...); len(names) > 0 {
			name = names[0]
			for _, nm := range names {
				if nm == img.String() || strings.HasSuffix(img.String(), nm) {
					name = nm
				}
			}
		}
		return Presence{State: Present, Name: name}
	case n.count >= nodeStatusMaxImages:
		return Presence{State: Unknown, Why: fmt.Sprintf("the node reports %d images, the kubelet's limit (nodeStatusMaxImages): smaller images are left out", n.count)}
	}
	return Presence{State: Absent}
}

// credentials lists the credentials the kubelet would try for img, in its order: the pod's
// Secrets (one keyring, most specific location first), the node's docker config, the
// credential provider plugins (pkg/kubelet/images/image_manager.go:314).
func (r *run) credentials(ctx context.Context, st *podState, ki kube.Image, img reference.Image, ir *ImageReport) []tried {
	var out []tried
	repo := img.Repository()
	if st.ringErr == nil {
		for _, c := range st.keyring.Lookup(repo) {
			out = append(out, tried{cred: &c, label: credLabel(c, "Secret "+c.Source.Name)})
		}
	}
	if k := r.d.opts.NodeKeyring; k != nil {
		for _, c := range k.Lookup(repo) {
			out = append(out, tried{cred: &c, label: credLabel(c, "node docker config")})
		}
	}
	if p := r.d.opts.Provider; p != nil {
		pod := st.pod
		cs, err := p.Credentials(ctx, credential.ProviderRequest{Image: ki.Image, Repository: repo,
			Pod: credential.Pod{Namespace: pod.Namespace, Name: pod.Name, UID: string(pod.UID), ServiceAccount: pod.Spec.ServiceAccountName, Annotations: pod.Annotations}})
		if err != nil {
			ir.Also = append(ir.Also, Finding{Cause: CauseUnknown, Summary: "the credential provider plugins failed: " + err.Error(),
				Hint: "the kubelet goes on without their credentials; check the plugin's logs on the node"})
		}
		for _, c := range cs {
			out = append(out, tried{cred: &c, label: credLabel(c, "credential provider plugin")})
		}
	}
	for _, t := range out {
		ir.Credentials = append(ir.Credentials, CredentialReport{Source: t.label})
	}
	return out
}

// credLabel names a credential by its source and user, never by its secret.
func credLabel(c credential.Credential, source string) string {
	if c.Username != "" {
		return source + " (user " + c.Username + ")"
	}
	return source
}

// pullFinding asks the registry with each credential in turn, as the runtime is asked
// (pkg/kubelet/kuberuntime/kuberuntime_image.go:38-70), and names the root cause.
func (r *run) pullFinding(ctx context.Context, st *podState, ki kube.Image, img reference.Image, creds []tried, ir *ImageReport) {
	if st.ringErr != nil {
		// The kubelet's credential lookup fails before any pull (image_manager.go:314-317).
		bad := ""
		for _, s := range st.report.Secrets {
			if s.Status == SecretBadJSON {
				bad = s.Name
				break
			}
		}
		ir.Finding = Finding{Cause: CauseSecretBadJSON,
			Summary: fmt.Sprintf("pull Secret %s does not decode (%v): the kubelet cannot build the pod's credentials and pulls nothing", bad, st.ringErr),
			Hint:    fmt.Sprintf("recreate Secret %s from a valid docker config: kubectl create secret docker-registry %s --docker-server=%s …", bad, bad, registryOf(img))}
		return
	}
	if len(creds) == 0 {
		creds = []tried{{label: "anonymous"}}
	}
	present := ir.Presence.State == Present
	var ok bool
	for _, t := range creds {
		res := r.probe(ctx, img, t.cred)
		ir.Attempts = append(ir.Attempts, Attempt{Credential: t.label, Result: res})
		if res.Kind == ProbeOK {
			ok = true
			break
		}
	}
	if ir.Attempts[0].Result.Kind == ProbeSkipped {
		// Without the registry's answer, a Secret that cannot work is the likeliest cause.
		if f, ok := r.secretFindings(st, img, ir, false); ok && f.Cause != CauseUnknown {
			f.Summary += " (the registry was not asked: " + ir.Attempts[0].Result.Message + ")"
			ir.Finding = f
			return
		} else if ok {
			ir.Also = append([]Finding{f}, ir.Also...)
		}
		ir.Finding = Finding{Cause: CauseUnknown, Summary: "the registry was not asked: " + ir.Attempts[0].Result.Message,
			Hint: fmt.Sprintf("on node %s run: crictl pull %s", cmpOr(st.pod.Spec.NodeName, "NODE"), img)}
		return
	}
	if ok {
		ir.Finding = Finding{Cause: CauseNone, Summary: fmt.Sprintf("the registry serves %s to %s: the pull should succeed", img, ir.Attempts[len(ir.Attempts)-1].Credential)}
		r.secretFindings(st, img, ir, true)
		return
	}
	ir.Finding = r.failure(st, img, ir)
	if present && ki.Effective == pullpolicy.IfNotPresent && ir.Finding.Cause != CauseNone {
		// KEP-2535: the node holds the image, yet the pod pulls, and that pull fails.
		ir.Also = append([]Finding{ir.Finding}, ir.Also...)
		ir.Finding = Finding{Cause: CauseKEP2535,
			Summary: fmt.Sprintf("node %s holds %s, but it was pulled with other credentials: with KubeletEnsureSecretPulledImages (KEP-2535) the pod must pull it with its own, and the registry refuses them (%s)", st.pod.Spec.NodeName, img, ir.Also[0].Cause),
			Hint:    "give the pod a pull Secret the registry accepts for this image; " + ir.Also[0].Hint}
	}
}

// failure names the root cause of a pull that every credential failed.
func (r *run) failure(st *podState, img reference.Image, ir *ImageReport) Finding {
	var notFound *Attempt
	allAuth := true
	for i := range ir.Attempts {
		a := &ir.Attempts[i]
		if (a.Result.Kind == ProbeNotFound || a.Result.Kind == ProbeRepositoryNotFound) && notFound == nil {
			notFound = a
		}
		if !a.Result.Kind.auth() {
			allAuth = false
		}
	}
	last := ir.Attempts[len(ir.Attempts)-1]
	if notFound != nil && notFound.Credential != "anonymous" {
		// A credential reached the registry, and the manifest is not there.
		r.secretFindings(st, img, ir, true)
		return notFoundFinding(img, notFound.Result)
	}
	if allAuth || notFound != nil {
		// Refused, or not found anonymously, which some registries answer for a private
		// repository: a pull Secret that cannot work comes first.
		if f, ok := r.secretFindings(st, img, ir, false); ok {
			if notFound != nil {
				ir.Also = append(ir.Also, notFoundFinding(img, notFound.Result))
			}
			return f
		}
		if notFound != nil {
			return notFoundFinding(img, notFound.Result)
		}
		anonymous := len(ir.Credentials) == 0
		switch {
		case anonymous:
			hint := fmt.Sprintf("create a Secret of type kubernetes.io/dockerconfigjson with an auth for %s and name it in the pod's imagePullSecrets", registryOf(img))
			if r.d.opts.NodeKeyring == nil {
				hint += " (or check the node's docker config, which cannot be read from the API)"
			}
			return Finding{Cause: CauseNoCredentials,
				Summary: fmt.Sprintf("%s wants credentials for %s and the pod has none (the registry answered %s: %s)", registryOf(img), img.Repository(), last.Result.Kind, last.Result.Message),
				Hint:    hint}
		case last.Result.Kind == ProbeDenied:
			return Finding{Cause: CauseDenied,
				Summary: fmt.Sprintf("%s denies %s to every credential tried (last: %s): %s", registryOf(img), img.Repository(), last.Credential, last.Result.Message),
				Hint:    fmt.Sprintf("grant the account of %s pull access to %s", last.Credential, img.Repository())}
		default:
			return Finding{Cause: CauseUnauthorized,
				Summary: fmt.Sprintf("%s refuses every credential tried (%s): %s", registryOf(img), attemptLabels(ir.Attempts), last.Result.Message),
				Hint:    fmt.Sprintf("the password or token of %s is wrong or expired: update that Secret with a current one for %s", ir.Attempts[0].Credential, registryOf(img))}
		}
	}
	r.secretFindings(st, img, ir, true)
	return transportFinding(img, last)
}

func attemptLabels(as []Attempt) string {
	var out []string
	for _, a := range as {
		out = append(out, a.Credential)
	}
	return strings.Join(out, ", ")
}

func notFoundFinding(img reference.Image, res ProbeResult) Finding {
	what := "tag " + img.Tag()
	if d := img.Digest(); d != "" {
		what = "digest " + d.String()
	}
	if res.Kind == ProbeRepositoryNotFound {
		return Finding{Cause: CauseNotFound, Summary: cmpOr(res.Message, fmt.Sprintf("%s has no repository %s", registryOf(img), img.Path())),
			Hint: fmt.Sprintf("check the image name %s: the registry has no such repository (or hides a private one as not found)", img.Repository())}
	}
	f := Finding{Cause: CauseNotFound, Summary: cmpOr(res.Message, fmt.Sprintf("%s has no %s in %s", registryOf(img), what, img.Repository()))}
	if t := newestTag(res.Tags); t != "" {
		f.Hint = fmt.Sprintf("the %s does not exist; %s is the newest", what, t)
	} else {
		f.Hint = fmt.Sprintf("check the name and the %s: the registry has no such manifest", what)
	}
	return f
}

// newestTag picks the highest version among tags ("v1.10" above "v1.9"), comparing the
// numbers in them as numbers; tags without a digit, such as "latest", count only when no
// tag has one. It is "" for no tags.
func newestTag(tags []string) string {
	best := ""
	for _, t := range tags {
		if best == "" || compareVersions(t, best) > 0 {
			best = t
		}
	}
	return best
}

// compareVersions compares two tags as versions: runs of digits as numbers, other runs as
// text; a tag with digits is above one without.
func compareVersions(a, b string) int {
	da, db := strings.ContainsAny(a, "0123456789"), strings.ContainsAny(b, "0123456789")
	if da != db {
		if da {
			return 1
		}
		return -1
	}
	pa, pb := versionParts(a), versionParts(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, y := pa[i], pb[i]
		nx, ex := strconv.Atoi(x)
		ny, ey := strconv.Atoi(y)
		switch {
		case ex == nil && ey == nil && nx != ny:
			return cmp.Compare(nx, ny)
		case ex == nil && ey != nil:
			return 1
		case ex != nil && ey == nil:
			return -1
		case x != y:
			// a pre-release part ("-rc1") sorts below the end of the other tag
			return strings.Compare(x, y)
		}
	}
	switch {
	case len(pa) == len(pb):
		return 0
	case len(pa) > len(pb) && strings.HasPrefix(pa[len(pb)], "-"):
		return -1 // v1.2-rc1 < v1.2
	case len(pb) > len(pa) && strings.HasPrefix(pb[len(pa)], "-"):
		return 1
	}
	return cmp.Compare(len(pa), len(pb))
}

// versionParts splits a tag into runs of digits and runs of other characters, dropping dots
// and a leading "v".
func versionParts(s string) []string {
	s = strings.TrimPrefix(s, "v")
	var parts []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || isDigit(s[i]) != isDigit(s[i-1]) {
			if p := s[start:i]; p != "." {
				parts = append(parts, strings.Trim(p, "."))
			}
			start = i
		}
	}
	return parts
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func transportFinding(img reference.Image, a Attempt) Finding {
	reg := registryOf(img)
	res := a.Result
	switch res.Kind {
	case ProbeRateLimited:
		s := fmt.Sprintf("%s rate-limits pulls: %s", reg, res.Message)
		if res.RateLimitRemaining != "" {
			s += "; RateLimit-Remaining: " + res.RateLimitRemaining
		}
		if res.RateLimitReset != "" {
			s += "; resets at " + res.RateLimitReset
		}
		return Finding{Cause: CauseRateLimited, Summary: s,
			Hint: "pull with an authenticated account (a pull Secret), use a mirror, or wait for the reset"}
	case ProbeTLSUnknownAuthority:
		return Finding{Cause: CauseTLSUnknownAuthority, Summary: fmt.Sprintf("%s's certificate is signed by an authority the node does not trust: %s", reg, res.Message),
			Hint: fmt.Sprintf("install the registry's CA on every node for the runtime (containerd: /etc/containerd/certs.d/%s/ca.crt)", reg)}
	case ProbeTLSWrongName:
		return Finding{Cause: CauseTLSWrongName, Summary: fmt.Sprintf("%s's certificate is not valid for that name: %s", reg, res.Message),
			Hint: fmt.Sprintf("reissue the registry's certificate with %s in its subjectAltName, or use the name it has", hostOnly(reg))}
	case ProbeTLS:
		return Finding{Cause: CauseTLS, Summary: fmt.Sprintf("TLS with %s fails: %s", reg, res.Message), Hint: "check the registry's certificate and TLS setup"}
	case ProbeDNS:
		return Finding{Cause: CauseDNS, Summary: fmt.Sprintf("%s does not resolve: %s", hostOnly(reg), res.Message),
			Hint: fmt.Sprintf("check the registry name %s in the image, or the nodes' DNS", hostOnly(reg))}
	case ProbeTimeout:
		return Finding{Cause: CauseTimeout, Summary: fmt.Sprintf("%s does not answer in time: %s", reg, res.Message),
			Hint: "check the network path (firewall, proxy) from the nodes to the registry"}
	case ProbeRefused, ProbeUnavailable:
		return Finding{Cause: CauseRegistryDown, Summary: fmt.Sprintf("%s is down: %s", reg, res.Message),
			Hint: fmt.Sprintf("bring %s back, or point the image at a registry that is up", reg)}
	case ProbeHTTPSRequired:
		return Finding{Cause: CausePlainHTTP, Summary: fmt.Sprintf("%s speaks HTTPS, and was asked in plain HTTP: %s", reg, res.Message),
			Hint: fmt.Sprintf("reach %s over HTTPS: remove its plain-HTTP setting (the runtime's hosts.toml, or doctor's --plain-http)", reg)}
	case ProbePlainHTTP:
		return Finding{Cause: CausePlainHTTP, Summary: fmt.Sprintf("%s speaks plain HTTP, not HTTPS: %s", reg, res.Message),
			Hint: fmt.Sprintf("serve the registry over HTTPS, or configure the runtime for it (containerd: /etc/containerd/certs.d/%s/hosts.toml with server = \"http://%s\")", reg, reg)}
	}
	return Finding{Cause: CauseUnknown, Summary: fmt.Sprintf("%s answered with %s: %s", reg, res.Kind, res.Message),
		Hint: "on the node run: crictl pull " + img.String()}
}

// secretFindings looks for what is wrong with the pod's pull Secrets for img. With also, it
// adds them to ir.Also and returns false; otherwise it returns the first as the cause.
func (r *run) secretFindings(st *podState, img reference.Image, ir *ImageReport, also bool) (Finding, bool) {
	reg := registryOf(img)
	var fs []Finding
	for _, name := range st.missing {
		fs = append(fs, Finding{Cause: CauseMissingSecret,
			Summary: fmt.Sprintf("pull Secret %s does not exist in namespace %s: the kubelet pulls without it (event FailedToRetrieveImagePullSecret)", name, st.pod.Namespace),
			Hint:    fmt.Sprintf("create Secret %s of type kubernetes.io/dockerconfigjson with an auth for %s", name, reg)})
	}
	for _, s := range st.wrong {
		fs = append(fs, Finding{Cause: CauseSecretWrongType,
			Summary: fmt.Sprintf("pull Secret %s is ignored: %s", s.Name, s.Detail),
			Hint:    fmt.Sprintf("recreate Secret %s with kubectl create secret docker-registry %s --docker-server=%s …", s.Name, s.Name, reg)})
	}
	for _, s := range st.saOnly {
		if len(s.Registries) > 0 && !coversImage(s, img) {
			continue
		}
		fs = append(fs, Finding{Cause: CauseServiceAccountSecret,
			Summary: fmt.Sprintf("service account %s has pull Secret %s, the pod does not: service accounts' Secrets are copied into a pod only when it is created, and only when it names no imagePullSecrets of its own", cmpOr(st.pod.Spec.ServiceAccountName, "default"), s.Name),
			Hint:    fmt.Sprintf("recreate the pod (its controller makes a new one when it is deleted), or add %s to its imagePullSecrets", s.Name)})
	}
	if len(st.good) > 0 && !hasSecretCred(ir) {
		var covers []string
		for _, s := range st.good {
			covers = append(covers, fmt.Sprintf("%s covers %s", s.Name, orNone(s.Registries)))
		}
		fs = append(fs, Finding{Cause: CauseSecretNoEntry,
			Summary: fmt.Sprintf("no pull Secret of the pod has credentials for %s (%s)", reg, strings.Join(covers, "; ")),
			Hint:    fmt.Sprintf("add an auth for %s to Secret %s, or add a Secret that has one", reg, st.good[0].Name)})
	}
	if st.noSecret {
		fs = append(fs, Finding{Cause: CauseUnknown, Summary: "some of the pod's pull Secrets could not be read (" + strings.Join(unreadable(st), "; ") + "): the credentials the kubelet has cannot be told",
			Hint: "grant get on secrets (examples/doctor/clusterrole.yaml), or check the Secrets by hand"})
	}
	if len(fs) == 0 {
		return Finding{}, false
	}
	if also {
		ir.Also = append(ir.Also, fs...)
		return Finding{}, false
	}
	ir.Also = append(ir.Also, fs[1:]...)
	return fs[0], true
}

// unreadable describes the pull Secrets that could not be read.
func unreadable(st *podState) []string {
	var out []string
	for _, s := range st.report.Secrets {
		if s.Status == SecretForbidden || s.Status == SecretUnreadable {
			out = append(out, s.Name+": "+s.Detail)
		}
	}
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "no registry"
	}
	return strings.Join(s, ", ")
}

// hasSecretCred reports whether a pod Secret's credential is among those tried.
func hasSecretCred(ir *ImageReport) bool {
	for _, c := range ir.Credentials {
		if strings.HasPrefix(c.Source, "Secret ") {
			return true
		}
	}
	return false
}

// coversImage reports whether a Secret's registries hold one for img.
func coversImage(s SecretReport, img reference.Image) bool {
	var entries []credential.Entry
	for _, loc := range s.Registries {
		entries = append(entries, credential.Entry{Location: loc, Credential: credential.Credential{Username: "x"}})
	}
	return len(credential.NewKeyring(entries).Lookup(img.Repository())) > 0
}

// registryOf is the registry host as people write it: "docker.io", "ghcr.io".
func registryOf(img reference.Image) string { return img.Domain() }

func hostOnly(reg string) string {
	if i := strings.LastIndexByte(reg, ':'); i > 0 && !strings.Contains(reg[i:], "]") {
		return reg[:i]
	}
	return reg
}

// actual reads the container's state and the image's events from the pod.
func actual(st *podState, ki kube.Image) Actual {
	a := Actual{State: "unknown"}
	var list []corev1.ContainerStatus
	names := []string{ki.Name}
	switch ki.Kind {
	case kube.InitContainer, kube.SidecarContainer:
		list = st.pod.Status.InitContainerStatuses
	case kube.Container:
		list = st.pod.Status.ContainerStatuses
	case kube.EphemeralContainer:
		list = st.pod.Status.EphemeralContainerStatuses
	case kube.ImageVolume:
		// An image volume's failed pull fails the containers that mount it: their waiting
		// state carries it (pkg/kubelet/kuberuntime/kuberuntime_manager.go:2000
		// toKubeContainerImageVolumes).
		names = mountedBy(&st.pod.Spec, ki.Name)
		list = append(slices.Clone(st.pod.Status.InitContainerStatuses), st.pod.Status.ContainerStatuses...)
	}
	for _, s := range list {
		if !slices.Contains(names, s.Name) || (a.State == "waiting" && waitsOnImage(a.Reason)) {
			continue
		}
		switch {
		case s.State.Waiting != nil:
			a.State, a.Reason, a.Message = "waiting", s.State.Waiting.Reason, s.State.Waiting.Message
		case s.State.Running != nil:
			a.State = "running"
		case s.State.Terminated != nil:
			a.State, a.Reason, a.Message = "terminated", s.State.Terminated.Reason, s.State.Terminated.Message
		}
	}
	for _, e := range st.events {
		mine := e.InvolvedObject.FieldPath == ki.FieldPath && ki.FieldPath != ""
		if ki.Kind == kube.ImageVolume {
			mine = e.InvolvedObject.FieldPath == "" && strings.Contains(e.Message, ki.Image)
		}
		if mine || e.Reason == kube.ReasonMissingPullSecrets {
			a.Events = append(a.Events, Event{Type: e.Type, Reason: e.Reason, Message: e.Message, Count: e.Count})
		}
	}
	if len(a.Events) > maxEvents {
		a.Events = a.Events[len(a.Events)-maxEvents:]
	}
	if st.noEvents != "" {
		a.Note = "events not read: " + st.noEvents
	}
	return a
}

// mountedBy names the init containers and containers that mount volume.
func mountedBy(spec *corev1.PodSpec, volume string) []string {
	var out []string
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range list {
			if slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == volume }) {
				out = append(out, c.Name)
			}
		}
	}
	return out
}

// agree sets whether the pod's state matches the diagnosis.
func agree(ir *ImageReport, st *podState) {
	a := &ir.Actual
	waiting := a.State == "waiting" && waitsOnImage(a.Reason)
	node := cmpOr(st.pod.Spec.NodeName, "NODE")
	switch ir.Finding.Cause {
	case CauseNone:
		a.Agrees = !waiting
		if waiting {
			a.Note = join(a.Note, fmt.Sprintf("the kubelet reports %s though the diagnosis finds no cause: the node may differ from what the API shows (its own docker config, mirrors, network); on node %s run: crictl pull %s", a.Reason, node, ir.Image))
		}
	case CauseUnknown:
		a.Agrees = false
		a.Note = join(a.Note, fmt.Sprintf("the cause cannot be told from outside the node; on node %s run: crictl pull %s (and journalctl -u kubelet | grep %q)", node, ir.Image, ir.Image))
	case CauseInvalidName:
		a.Agrees = a.Reason == pullpolicy.ErrInvalidImageName.Error()
	case CauseNeverAbsent:
		a.Agrees = a.Reason == pullpolicy.ErrImageNeverPull.Error()
	case CauseSecretBadJSON:
		a.Agrees = waiting && !slices.Contains(ImageWaitingReasons(), a.Reason)
	case CauseKEP2535:
		a.Agrees = waitsOnPull(a.Reason) || a.Reason == pullpolicy.ErrImageNeverPull.Error()
	default:
		a.Agrees = waitsOnPull(a.Reason)
	}
	if a.Agrees && waitsOnPull(a.Reason) {
		if words := messageWords(ir.Finding.Cause); words != nil {
			if said := pullError(a.Message); said != "" && !containsAny(said, words) {
				a.Agrees = false
				a.Note = join(a.Note, fmt.Sprintf("the kubelet's message does not speak of a %s: the node may reach the registry differently (its own docker config, mirrors, proxy, network); on node %s run: crictl pull %s", ir.Finding.Cause, node, ir.Image))
			}
		}
	}
	if !a.Agrees && a.Note == "" {
		switch {
		case a.State == "unknown":
			a.Note = "the kubelet has not reported this container's state yet"
		case !waiting:
			a.Note = fmt.Sprintf("the container is %s, not waiting on its image: the diagnosis is of what would happen at its next pull", a.State)
		default:
			a.Note = fmt.Sprintf("the kubelet reports %s, which this cause does not explain; on node %s run: crictl pull %s", a.Reason, node, ir.Image)
		}
	}
}

// messageWords are words one of which a runtime's pull error carries for a cause (lower
// case); nil when the message cannot be checked.
func messageWords(c Cause) []string {
	switch c {
	case CauseNotFound:
		return []string{"not found", "manifest unknown", "name unknown", "404"}
	case CauseMissingSecret, CauseSecretWrongType, CauseSecretNoEntry, CauseServiceAccountSecret,
		CauseNoCredentials, CauseUnauthorized, CauseDenied, CauseKEP2535:
		return []string{"401", "403", "unauthorized", "denied", "forbidden", "authoriz", "authenticat"}
	case CauseRateLimited:
		return []string{"429", "too many requests", "toomanyrequests", "rate limit"}
	case CauseTLSUnknownAuthority, CauseTLSWrongName, CauseTLS:
		return []string{"x509", "tls", "certificate"}
	case CauseDNS:
		return []string{"no such host", "lookup", "server misbehaving"}
	case CauseTimeout:
		return []string{"timeout", "deadline exceeded", "timed out"}
	case CauseRegistryDown:
		return []string{"connection refused", "connection reset", "eof", "unavailable", "500", "502", "503", "504"}
	case CausePlainHTTP:
		return []string{"http response to https client", "http request to an https server"}
	}
	return nil
}

// pullError is the runtime's error in a waiting message, without the kubelet's back-off
// prefix (`Back-off pulling image "x": ErrImagePull: `), lower case; "" when the message
// carries none.
func pullError(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "Back-off pulling image"); ok {
		_, after, found := strings.Cut(rest, "\": ")
		if !found {
			return ""
		}
		msg = strings.TrimPrefix(after, "ErrImagePull: ")
	}
	return strings.ToLower(msg)
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
