package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/imagepull/imagepull/credential"
)

const img = "reg.example.com/team/app:v2"

func unauthorized() ProbeResult {
	return ProbeResult{Kind: ProbeUnauthorized, Message: "401 Unauthorized"}
}

func TestDiagnoseCauses(t *testing.T) {
	fifty := make([][]string, 50)
	for i := range fifty {
		fifty[i] = []string{"docker.io/library/other" + string(rune('a'+i%26)) + ":" + string(rune('a'+i/26))}
	}
	tests := []struct {
		name    string
		objects []runtime.Object
		answers map[string]ProbeResult
		cause   Cause
		// in are substrings of the finding's summary and hint.
		summary, hint string
		presence      string
		agrees        bool
		probes        int
		also          []Cause
	}{
		{
			name:    "wrong tag: the newest existing tag is named",
			objects: []runtime.Object{newPod("p", img, waiting("ErrImagePull", `rpc error: code = NotFound desc = failed to pull and unpack image "reg.example.com/team/app:v2": not found`))},
			answers: map[string]ProbeResult{img + " -": {Kind: ProbeNotFound, Message: "manifest unknown", Tags: []string{"latest", "v1.10", "v1.10-rc1", "v1.8", "v1.9"}}},
			cause:   CauseNotFound, summary: "manifest unknown", hint: "the tag v2 does not exist; v1.10 is the newest",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name:    "missing Secret: the kubelet pulls anonymously, the registry wants credentials",
			objects: []runtime.Object{newPod("p", img, withSecrets("regcred"), waiting("ImagePullBackOff", "Back-off pulling image"))},
			answers: map[string]ProbeResult{img + " -": unauthorized()},
			cause:   CauseMissingSecret, summary: "pull Secret regcred does not exist in namespace app",
			hint:     "create Secret regcred of type kubernetes.io/dockerconfigjson with an auth for reg.example.com",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name:    "Secret for another registry: the registries it covers are listed",
			objects: []runtime.Object{newPod("p", img, withSecrets("ghcr"), waiting("ErrImagePull", "401")), dockerSecret("ghcr", "bot", "PASS1", "ghcr.io", "quay.io")},
			answers: map[string]ProbeResult{img + " -": unauthorized()},
			cause:   CauseSecretNoEntry, summary: "ghcr covers ghcr.io, quay.io", hint: "add an auth for reg.example.com to Secret ghcr",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name: "Secret of the wrong type is ignored by the kubelet",
			objects: []runtime.Object{newPod("p", img, withSecrets("opaque"), waiting("ErrImagePull", "401")),
				&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "opaque"}, Type: corev1.SecretTypeOpaque, Data: map[string][]byte{".dockerconfigjson": []byte(`{}`)}}},
			answers: map[string]ProbeResult{img + " -": unauthorized()},
			cause:   CauseSecretWrongType, summary: "type Opaque is not kubernetes.io/dockerconfigjson", hint: "kubectl create secret docker-registry opaque",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name: "Secret that does not decode: no pull is attempted, the decoding error is the waiting reason",
			objects: []runtime.Object{newPod("p", img, withSecrets("bad"), waiting("invalid character 'o' in literal null (expecting 'u')", "")),
				&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bad"}, Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{".dockerconfigjson": []byte(`not json`)}}},
			cause: CauseSecretBadJSON, summary: "pull Secret bad does not decode", hint: "recreate Secret bad",
			presence: Absent, agrees: true, probes: 0,
		},
		{
			name:    "expired password: the credential that was refused is named",
			objects: []runtime.Object{newPod("p", img, withSecrets("regcred"), waiting("ErrImagePull", "401 Unauthorized")), dockerSecret("regcred", "bot", "PASSold", "reg.example.com")},
			answers: map[string]ProbeResult{img + " bot": unauthorized()},
			cause:   CauseUnauthorized, summary: "refuses every credential tried (Secret regcred (user bot))", hint: "wrong or expired",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name:    "denied: the account lacks access",
			objects: []runtime.Object{newPod("p", img, withSecrets("regcred"), waiting("ErrImagePull", "403")), dockerSecret("regcred", "bot", "PASS2", "reg.example.com")},
			answers: map[string]ProbeResult{img + " bot": {Kind: ProbeDenied, Message: "denied: requested access to the resource is denied"}},
			cause:   CauseDenied, summary: "denies reg.example.com/team/app", hint: "grant the account of Secret regcred (user bot) pull access",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name:    "no credentials at all",
			objects: []runtime.Object{newPod("p", img, waiting("ErrImagePull", "401"))},
			answers: map[string]ProbeResult{img + " -": unauthorized()},
			cause:   CauseNoCredentials, summary: "the pod has none", hint: "cannot be read from the API",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name:    "Never and absent",
			objects: []runtime.Object{newPod("p", img, withPolicy(corev1.PullNever), waiting("ErrImageNeverPull", `Container image "reg.example.com/team/app:v2" is not present with pull policy of Never`)), node("node-1")},
			cause:   CauseNeverAbsent, summary: "does not hold", hint: "set spec.containers[0].imagePullPolicy to IfNotPresent",
			presence: Absent, agrees: true, probes: 0,
		},
		{
			name:    "Never, and a node listing 50 images: presence unknown, not absent",
			objects: []runtime.Object{newPod("p", img, withPolicy(corev1.PullNever), waiting("ErrImageNeverPull", "")), node("node-1", fifty...)},
			cause:   CauseUnknown, summary: "cannot be told", hint: "crictl inspecti",
			presence: Unknown, agrees: false, probes: 0,
		},
		{
			name:    "Never and present by tag",
			objects: []runtime.Object{newPod("p", img, withPolicy(corev1.PullNever), running()), node("node-1", []string{"reg.example.com/team/app@sha256:" + zeros, img})},
			cause:   CauseNone, summary: "the kubelet uses it",
			presence: Present, agrees: true, probes: 0,
		},
		{
			name:    "present by digest",
			objects: []runtime.Object{newPod("p", "reg.example.com/team/app@sha256:"+zeros, running()), node("node-1", []string{"reg.example.com/team/app@sha256:" + zeros})},
			cause:   CauseNone, summary: "without a pull",
			presence: Present, agrees: true, probes: 0,
		},
		{
			name:    "invalid name",
			objects: []runtime.Object{newPod("p", "Reg.Example.com/App:v2", waiting("InvalidImageName", "Failed to apply default image tag"))},
			cause:   CauseInvalidName, summary: "invalid reference format", hint: "fix spec.containers[0].image",
			presence: Unknown, agrees: true, probes: 0,
		},
		{
			name: "KEP-2535: present on the node, pulled with other credentials, the pod's are refused",
			objects: []runtime.Object{newPod("p", img, withPolicy(corev1.PullIfNotPresent), withSecrets("mine"), waiting("ErrImagePull", "401 Unauthorized")),
				dockerSecret("mine", "me", "PASSwrong", "reg.example.com"), node("node-1", []string{img})},
			answers: map[string]ProbeResult{img + " me": unauthorized()},
			cause:   CauseKEP2535, summary: "pulled with other credentials", hint: "give the pod a pull Secret the registry accepts",
			presence: Present, agrees: true, probes: 1, also: []Cause{CauseUnauthorized},
		},
		{
			name:    "service account's Secret not copied into the pod",
			objects: []runtime.Object{newPod("p", img, waiting("ErrImagePull", "401")), serviceAccount("default", "regcred"), dockerSecret("regcred", "bot", "PASS2", "reg.example.com")},
			answers: map[string]ProbeResult{img + " -": unauthorized()},
			cause:   CauseServiceAccountSecret, summary: "service account default has pull Secret regcred, the pod does not", hint: "recreate the pod",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name:    "rate limit with Docker Hub's headers",
			objects: []runtime.Object{newPod("p", "nginx:1.27", waiting("ErrImagePull", "429 Too Many Requests"))},
			answers: map[string]ProbeResult{"docker.io/library/nginx:1.27 -": {Kind: ProbeRateLimited, Message: "toomanyrequests", RateLimitRemaining: "0;w=21600", RateLimitReset: "2026-12-05T04:00:00Z"}},
			cause:   CauseRateLimited, summary: "RateLimit-Remaining: 0;w=21600; resets at 2026-12-05T04:00:00Z", hint: "authenticated account",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name:    "self-signed CA",
			objects: []runtime.Object{newPod("p", img, waiting("ErrImagePull", "x509: certificate signed by unknown authority"))},
			answers: map[string]ProbeResult{img + " -": {Kind: ProbeTLSUnknownAuthority, Message: "x509: certificate signed by unknown authority"}},
			cause:   CauseTLSUnknownAuthority, hint: "/etc/containerd/certs.d/reg.example.com/ca.crt",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name:    "registry down",
			objects: []runtime.Object{newPod("p", img, waiting("ImagePullBackOff", ""))},
			answers: map[string]ProbeResult{img + " -": {Kind: ProbeRefused, Message: "connect: connection refused"}},
			cause:   CauseRegistryDown, summary: "reg.example.com is down",
			presence: Absent, agrees: true, probes: 1,
		},
		{
			name:    "nothing wrong, yet the pod waits: they disagree, with what to run on the node",
			objects: []runtime.Object{newPod("p", img, waiting("ErrImagePull", "boom"))},
			cause:   CauseNone, summary: "should succeed",
			presence: Absent, agrees: false, probes: 1,
		},
		{
			name: "a missing Secret beside a tag that does not exist: the tag is the cause",
			objects: []runtime.Object{newPod("p", img, withSecrets("gone", "regcred"), waiting("ErrImagePull", "not found")),
				dockerSecret("regcred", "bot", "PASS2", "reg.example.com")},
			answers: map[string]ProbeResult{img + " bot": {Kind: ProbeNotFound, Message: "manifest unknown"}},
			cause:   CauseNotFound, hint: "check the name and the tag v2",
			presence: Absent, agrees: true, probes: 1, also: []Cause{CauseMissingSecret},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects := tt.objects
			if !slices.ContainsFunc(objects, func(o runtime.Object) bool { _, ok := o.(*corev1.Node); return ok }) {
				objects = append(slices.Clone(objects), node("node-1"))
			}
			client := fake.NewClientset(objects...)
			prober := &fakeProber{answers: tt.answers}
			rep, err := New(client, &Options{Prober: prober}).Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
			require.NoError(t, err)
			require.Len(t, rep.Pods, 1)
			require.Len(t, rep.Pods[0].Images, 1)
			ir := rep.Pods[0].Images[0]
			assert.Equal(t, tt.cause, ir.Finding.Cause, "%+v", ir)
			assert.Contains(t, ir.Finding.Summary, tt.summary)
			assert.Contains(t, ir.Finding.Hint, tt.hint)
			assert.Equal(t, tt.presence, ir.Presence.State)
			assert.Equal(t, tt.agrees, ir.Actual.Agrees, ir.Actual.Note)
			assert.Equal(t, int64(tt.probes), prober.calls.Load())
			var also []Cause
			for _, f := range ir.Also {
				also = append(also, f.Cause)
			}
			assert.Equal(t, tt.also, also)
			assertNoCredential(t, rep, objects)
		})
	}
}

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

// assertNoCredential checks that no password (they all hold "PASS") and no auth of the
// Secrets among objects is written, as text or as JSON.
func assertNoCredential(t *testing.T, rep *Report, objects []runtime.Object) {
	t.Helper()
	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	js, err := json.Marshal(rep)
	require.NoError(t, err)
	secrets := []string{"PASS"}
	for _, o := range objects {
		if s, ok := o.(*corev1.Secret); ok {
			secrets = append(secrets, regexp.MustCompile(`"auth":"([^"]+)"`).FindAllString(string(s.Data[corev1.DockerConfigJsonKey]), -1)...)
		}
	}
	for _, secret := range secrets {
		secret = strings.TrimSuffix(strings.TrimPrefix(secret, `"auth":"`), `"`)
		assert.NotContains(t, text.String(), secret)
		assert.NotContains(t, string(js), secret)
	}
}

func forbid(client *fake.Clientset, verb, resource string) {
	client.PrependReactor(verb, resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: resource}, "", errors.New("RBAC: access denied"))
	})
}

func TestDiagnoseDegradesWithoutPermissions(t *testing.T) {
	client := fake.NewClientset(newPod("p", img, withSecrets("regcred"), waiting("ErrImagePull", "401")),
		dockerSecret("regcred", "bot", "PASS2", "reg.example.com"), node("node-1"), serviceAccount("default"))
	for _, f := range []struct{ verb, resource string }{{"get", "secrets"}, {"get", "nodes"}, {"get", "serviceaccounts"}, {"list", "events"}} {
		forbid(client, f.verb, f.resource)
	}
	prober := &fakeProber{answers: map[string]ProbeResult{img + " -": unauthorized()}}
	rep, err := New(client, &Options{Prober: prober}).Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
	require.NoError(t, err)
	assert.Equal(t, []Forbidden{{"get", "nodes", ""}, {"get", "secrets", ns}, {"get", "serviceaccounts", ns}, {"list", "events", ns}}, rep.Forbidden)
	pod := rep.Pods[0]
	assert.Equal(t, SecretForbidden, pod.Secrets[0].Status)
	ir := pod.Images[0]
	assert.Equal(t, Unknown, ir.Presence.State)
	assert.Equal(t, "cannot get nodes", ir.Presence.Why)
	assert.Equal(t, CauseUnknown, ir.Finding.Cause, "with the Secret unreadable, an anonymous 401 cannot be blamed on it")
	assert.Contains(t, ir.Finding.Summary, "regcred: cannot get secrets")
	assert.Contains(t, ir.Actual.Note, "no list events")

	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	assert.Contains(t, text.String(), "not allowed (the diagnosis is partial):\n  get nodes\n  get secrets in namespace app\n")
}

func TestDiagnoseForbiddenPodIsAnError(t *testing.T) {
	client := fake.NewClientset()
	forbid(client, "list", "pods")
	_, err := New(client, nil).Diagnose(context.Background(), Target{Namespace: ns})
	require.ErrorIs(t, err, errNoAccess)
	assert.Contains(t, err.Error(), "cannot list pods in namespace app")
}

func TestCredentialOrder(t *testing.T) {
	// Two Secrets in one keyring: the more specific location first whatever the Secrets'
	// order (keyring.go:294), then the node's docker config, then the plugins
	// (image_manager.go:314). The registry is asked in that order until one works.
	pod := newPod("p", img, withSecrets("broad", "narrow"), waiting("ErrImagePull", "401"))
	nodeRing, err := credential.FromDockerConfigJSON([]byte(`{"auths":{"reg.example.com":{"username":"nodeuser","password":"PASSnp"}}}`), credential.Source{})
	require.NoError(t, err)
	provider := credential.ProviderFunc(func(_ context.Context, req credential.ProviderRequest) ([]credential.Credential, error) {
		assert.Equal(t, "reg.example.com/team/app", req.Repository)
		assert.Equal(t, "p", req.Pod.Name)
		return []credential.Credential{{Username: "pluginuser", Password: "PASSpp"}}, nil
	})
	prober := &fakeProber{answers: map[string]ProbeResult{
		img + " narrowuser": unauthorized(), img + " broaduser": unauthorized(), img + " nodeuser": unauthorized(),
	}}
	client := fake.NewClientset(pod, dockerSecret("broad", "broaduser", "PASSb", "reg.example.com"), dockerSecret("narrow", "narrowuser", "PASSn", "reg.example.com/team"))
	rep, err := New(client, &Options{Prober: prober, NodeKeyring: nodeRing, Provider: provider}).Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
	require.NoError(t, err)
	ir := rep.Pods[0].Images[0]
	assert.Equal(t, []CredentialReport{{"Secret narrow (user narrowuser)"}, {"Secret broad (user broaduser)"}, {"node docker config (user nodeuser)"}, {"credential provider plugin (user pluginuser)"}}, ir.Credentials)
	assert.Equal(t, []string{img + " narrowuser", img + " broaduser", img + " nodeuser", img + " pluginuser"}, prober.asked)
	assert.Equal(t, CauseNone, ir.Finding.Cause, "the plugin's credential works")
	assert.NotContains(t, rep.Notes, "cannot be read from the API", "the node keyring was given")
}

func TestTargets(t *testing.T) {
	web := map[string]string{"app": "web"}
	objects := []runtime.Object{
		deployment("web", "dep-uid", web),
		appsv1ReplicaSet{name: "web-1", uid: "rs-uid", owner: "dep-uid", labels: web}.object(),
		newPod("web-1-a", img, labelled(web), owner("ReplicaSet", "rs-uid"), waiting("ErrImagePull", "")),
		newPod("web-1-b", img, labelled(web), owner("ReplicaSet", "rs-uid"), running()),
		newPod("impostor", img, labelled(web), owner("ReplicaSet", "other"), waiting("ErrImagePull", "")),
		newPod("crash", "nginx:1.27", waiting("CrashLoopBackOff", "")),
		newPod("badjson", "nginx:1.27", waiting("invalid character 'o' in literal null (expecting 'u')", "")),
		newPod("never", "nginx:1.27", waiting("ErrImageNeverPull", "")),
	}
	tests := []struct {
		target Target
		pods   []string
	}{
		{Target{Kind: "deployment", Name: "web", Namespace: ns}, []string{"web-1-a", "web-1-b"}},
		{Target{Kind: "replicaset", Name: "web-1", Namespace: ns}, []string{"web-1-a", "web-1-b"}},
		{Target{Namespace: ns}, []string{"badjson", "impostor", "never", "web-1-a"}},
		{Target{AllNamespaces: true}, []string{"badjson", "impostor", "never", "web-1-a"}},
		{Target{Namespace: "elsewhere"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.target.Kind+"/"+tt.target.Name+"/"+tt.target.Namespace, func(t *testing.T) {
			rep, err := New(fake.NewClientset(objects...), &Options{Prober: &fakeProber{}}).Diagnose(context.Background(), tt.target)
			require.NoError(t, err)
			var names []string
			for _, p := range rep.Pods {
				names = append(names, p.Name)
			}
			assert.Equal(t, tt.pods, names)
		})
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct{ in, kind, name, err string }{
		{"pod/web-0", "pod", "web-0", ""},
		{"web-0", "pod", "web-0", ""},
		{"deploy/web", "deployment", "web", ""},
		{"deployment.apps/web", "deployment", "web", ""},
		{"sts/db", "statefulset", "db", ""},
		{"cj/nightly", "cronjob", "nightly", ""},
		{"service/web", "", "", `unknown kind "service"`},
		{"pod/", "", "", "want KIND/NAME"},
	}
	for _, tt := range tests {
		kind, name, err := ParseTarget(tt.in)
		if tt.err != "" {
			assert.ErrorContains(t, err, tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, [2]string{tt.kind, tt.name}, [2]string{kind, name}, tt.in)
	}
}

func TestProbesBoundedAndShared(t *testing.T) {
	var objects []runtime.Object
	for _, n := range []string{"a", "b", "c", "d"} {
		objects = append(objects, newPod(n, img, waiting("ErrImagePull", "")))
	}
	objects = append(objects, newPod("e", "reg.example.com/other:v1", waiting("ErrImagePull", "")))
	t.Run("the same image with the same credential is asked once", func(t *testing.T) {
		prober := &fakeProber{answers: map[string]ProbeResult{img + " -": unauthorized()}}
		_, err := New(fake.NewClientset(objects...), &Options{Prober: prober}).Diagnose(context.Background(), Target{Namespace: ns})
		require.NoError(t, err)
		assert.Equal(t, int64(2), prober.calls.Load())
	})
	t.Run("past the budget the registry is not asked", func(t *testing.T) {
		prober := &fakeProber{}
		rep, err := New(fake.NewClientset(objects...), &Options{Prober: prober, MaxProbes: 1, Workers: 1}).Diagnose(context.Background(), Target{Namespace: ns})
		require.NoError(t, err)
		assert.Equal(t, int64(1), prober.calls.Load())
		last := rep.Pods[4].Images[0]
		assert.Equal(t, CauseUnknown, last.Finding.Cause)
		assert.Equal(t, ProbeSkipped, last.Attempts[0].Result.Kind)
		assert.Contains(t, rep.Notes, "the registry call budget (1) was spent: later images were not asked about")
	})
	t.Run("without a prober nothing is asked and the cause is unknown", func(t *testing.T) {
		rep, err := New(fake.NewClientset(objects...), nil).Diagnose(context.Background(), Target{Kind: "pod", Name: "a", Namespace: ns})
		require.NoError(t, err)
		assert.Equal(t, CauseUnknown, rep.Pods[0].Images[0].Finding.Cause)
		assert.Contains(t, rep.Pods[0].Images[0].Actual.Note, "crictl pull")
	})
}

func TestEveryImageField(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	pod := newPod("p", "nginx:1.27", func(p *corev1.Pod) {
		p.Spec.InitContainers = []corev1.Container{{Name: "init", Image: "busybox"}, {Name: "side", Image: "envoy:v1", RestartPolicy: &always}}
		p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "busybox:1.36"}}}
		p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "reg.example.com/data:v1"}}}}
	})
	rep, err := New(fake.NewClientset(pod), &Options{Prober: &fakeProber{}}).Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
	require.NoError(t, err)
	var got []string
	for _, ir := range rep.Pods[0].Images {
		got = append(got, ir.Kind+" "+ir.Name+" "+ir.Policy+" "+ir.PolicyWritten)
	}
	assert.Equal(t, []string{
		"init-container init Always ", "sidecar-container side IfNotPresent ",
		"container web IfNotPresent ", "ephemeral-container debug IfNotPresent ", "image-volume data IfNotPresent ",
	}, got)
	assert.Equal(t, "the registry is asked at every container start", rep.Pods[0].Images[0].PolicyEffect)
}

func TestEventsBesideTheDiagnosis(t *testing.T) {
	pod := newPod("p", img, withSecrets("gone"), waiting("ImagePullBackOff", `Back-off pulling image "reg.example.com/team/app:v2"`))
	ev := func(name, fieldPath, typ, reason, msg string) *corev1.Event {
		return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Type: typ, Reason: reason, Message: msg,
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "p", UID: pod.UID, FieldPath: fieldPath}}
	}
	client := fake.NewClientset(pod,
		ev("e1", "", "Warning", "FailedToRetrieveImagePullSecret", "Unable to retrieve some image pull secrets (gone); attempting to pull the image may not succeed."),
		ev("e2", "spec.containers{web}", "Warning", "Failed", `Failed to pull image "reg.example.com/team/app:v2": 401 Unauthorized`),
		ev("e3", "spec.containers{other}", "Normal", "Pulled", "elsewhere"),
	)
	prober := &fakeProber{answers: map[string]ProbeResult{img + " -": unauthorized()}}
	rep, err := New(client, &Options{Prober: prober}).Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
	require.NoError(t, err)
	ir := rep.Pods[0].Images[0]
	var reasons []string
	for _, e := range ir.Actual.Events {
		reasons = append(reasons, e.Reason)
	}
	assert.ElementsMatch(t, []string{"FailedToRetrieveImagePullSecret", "Failed"}, reasons)
	assert.Equal(t, CauseMissingSecret, ir.Finding.Cause)
	assert.True(t, ir.Actual.Agrees)
}

func TestWithoutRegistryASecretThatCannotWorkIsTheCause(t *testing.T) {
	client := fake.NewClientset(newPod("p", img, withSecrets("regcred"), waiting("ErrImagePull", "401")), node("node-1"))
	rep, err := New(client, nil).Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
	require.NoError(t, err)
	f := rep.Pods[0].Images[0].Finding
	assert.Equal(t, CauseMissingSecret, f.Cause)
	assert.Contains(t, f.Summary, "the registry was not asked")
}

func TestNewestTag(t *testing.T) {
	tests := []struct {
		tags []string
		want string
	}{
		{nil, ""},
		{[]string{"latest"}, "latest"},
		{[]string{"latest", "v1.10", "v1.9"}, "v1.10"},
		{[]string{"1.27.0", "1.27.0-alpine", "1.26.3"}, "1.27.0"},
		{[]string{"v2.0.0-rc1", "v1.9.9"}, "v2.0.0-rc1"},
		{[]string{"v2.0.0-rc1", "v2.0.0"}, "v2.0.0"},
		{[]string{"2024.01.05", "2023.12.30"}, "2024.01.05"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, newestTag(tt.tags), tt.tags)
	}
}

func TestAnonymousNotFoundBesideAMissingSecret(t *testing.T) {
	// A registry may answer 404 to an anonymous request for a private repository: with a
	// missing pull Secret, the Secret is the cause, and the 404 is told beside it.
	client := fake.NewClientset(newPod("p", img, withSecrets("regcred"), waiting("ErrImagePull", "not found")), node("node-1"))
	prober := &fakeProber{answers: map[string]ProbeResult{img + " -": {Kind: ProbeRepositoryNotFound}}}
	rep, err := New(client, &Options{Prober: prober}).Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
	require.NoError(t, err)
	ir := rep.Pods[0].Images[0]
	assert.Equal(t, CauseMissingSecret, ir.Finding.Cause)
	require.Len(t, ir.Also, 1)
	assert.Equal(t, CauseNotFound, ir.Also[0].Cause)
	assert.Contains(t, ir.Also[0].Summary, "has no repository team/app")
}

func TestAlwaysPullsEvenWhenPresent(t *testing.T) {
	// Under Always the image is pulled whether the node holds it or not: a refusal is the
	// registry's, not KEP-2535's.
	client := fake.NewClientset(newPod("p", img, withPolicy(corev1.PullAlways), waiting("ErrImagePull", "401")), node("node-1", []string{img}))
	prober := &fakeProber{answers: map[string]ProbeResult{img + " -": unauthorized()}}
	rep, err := New(client, &Options{Prober: prober}).Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
	require.NoError(t, err)
	ir := rep.Pods[0].Images[0]
	assert.Equal(t, Present, ir.Presence.State)
	assert.Equal(t, CauseNoCredentials, ir.Finding.Cause)
}

func TestImageVolumeStateFromTheContainersThatMountIt(t *testing.T) {
	const data = "reg.example.com/data:v1"
	pod := newPod("p", "nginx:1.27", func(p *corev1.Pod) {
		p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: data}}}}
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "reader", Image: "busybox:1.36", VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}})
		p.Status.ContainerStatuses = []corev1.ContainerStatus{
			{Name: "web", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
			{Name: "reader", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "not found"}}},
		}
	})
	prober := &fakeProber{answers: map[string]ProbeResult{data + " -": {Kind: ProbeNotFound, Message: "no tag v1"}}}
	rep, err := New(fake.NewClientset(pod, node("node-1", []string{"docker.io/library/busybox:1.36", "docker.io/library/nginx:1.27"})), &Options{Prober: prober}).
		Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
	require.NoError(t, err)
	vol := rep.Pods[0].Images[2]
	require.Equal(t, "image-volume", vol.Kind)
	assert.Equal(t, CauseNotFound, vol.Finding.Cause)
	assert.Equal(t, "ErrImagePull", vol.Actual.Reason)
	assert.True(t, vol.Actual.Agrees)
}

func TestUnreadableSecretIsNotForbidden(t *testing.T) {
	client := fake.NewClientset(newPod("p", img, withSecrets("regcred"), waiting("ErrImagePull", "401")), node("node-1"))
	client.PrependReactor("get", "secrets", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewInternalError(errors.New("etcd is down"))
	})
	rep, err := New(client, &Options{Prober: &fakeProber{answers: map[string]ProbeResult{img + " -": unauthorized()}}}).
		Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
	require.NoError(t, err)
	assert.Empty(t, rep.Forbidden)
	assert.Equal(t, SecretUnreadable, rep.Pods[0].Secrets[0].Status)
	assert.Contains(t, rep.Pods[0].Images[0].Finding.Summary, "etcd is down")
}

func TestAgreementReadsTheKubeletsMessage(t *testing.T) {
	tests := []struct {
		message string
		agrees  bool
	}{
		{`rpc error: code = NotFound desc = failed to pull and unpack image "x": not found`, true},
		{`Back-off pulling image "reg.example.com/team/app:v2"`, true},
		{`Back-off pulling image "reg.example.com/team/app:v2": ErrImagePull: failed to resolve reference: 404 Not Found`, true},
		{`Back-off pulling image "reg.example.com/team/app:v2": ErrImagePull: pulling from host failed with status code [manifests v2]: 401 Unauthorized`, false},
		{`failed to do request: Head "https://reg.example.com/v2/team/app/manifests/v2": dial tcp: lookup reg.example.com: no such host`, false},
	}
	for _, tt := range tests {
		client := fake.NewClientset(newPod("p", img, waiting("ErrImagePull", tt.message)), node("node-1"))
		prober := &fakeProber{answers: map[string]ProbeResult{img + " -": {Kind: ProbeNotFound}}}
		rep, err := New(client, &Options{Prober: prober}).Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
		require.NoError(t, err)
		a := rep.Pods[0].Images[0].Actual
		assert.Equal(t, tt.agrees, a.Agrees, tt.message)
		if !tt.agrees {
			assert.Contains(t, a.Note, "does not speak of a NotFound")
		}
	}
}

func TestWorkloadTargets(t *testing.T) {
	web := map[string]string{"app": "web"}
	sel := &metav1.LabelSelector{MatchLabels: web}
	objects := []runtime.Object{
		&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "db", UID: "sts"}, Spec: appsv1.StatefulSetSpec{Selector: sel}},
		newPod("db-0", img, labelled(web), owner("StatefulSet", "sts")),
		&batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "nightly", UID: "cj"}},
		&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "nightly-1", UID: "job1", OwnerReferences: []metav1.OwnerReference{controllerRef("CronJob", "cj")}},
			Spec: batchv1.JobSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"job": "1"}}}},
		&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "adhoc", UID: "job2"}},
		newPod("nightly-1-x", img, labelled(map[string]string{"job": "1"}), owner("Job", "job1")),
		newPod("adhoc-x", img, owner("Job", "job2")),
	}
	for _, tt := range []struct {
		kind, name string
		pods       []string
	}{
		{"statefulset", "db", []string{"db-0"}},
		{"cronjob", "nightly", []string{"nightly-1-x"}},
		{"job", "nightly-1", []string{"nightly-1-x"}},
	} {
		rep, err := New(fake.NewClientset(objects...), &Options{Prober: &fakeProber{}}).Diagnose(context.Background(), Target{Kind: tt.kind, Name: tt.name, Namespace: ns})
		require.NoError(t, err)
		var names []string
		for _, p := range rep.Pods {
			names = append(names, p.Name)
		}
		assert.Equal(t, tt.pods, names, tt.kind)
	}
	_, err := New(fake.NewClientset(objects...), nil).Diagnose(context.Background(), Target{Kind: "deployment", Name: "nope", Namespace: ns})
	assert.True(t, apierrors.IsNotFound(err), "%v", err)
}
