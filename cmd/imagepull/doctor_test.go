package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// fakeAPIServer serves the few GET endpoints doctor reads (pods, one pod, Secrets, service
// accounts, nodes, events) from objects, over plain HTTP on loopback, and answers 404
// otherwise; a path listed in forbidden gets 403. It returns a kubeconfig file for it.
func fakeAPIServer(t *testing.T, forbidden []string, objects ...any) string {
	t.Helper()
	byPath := map[string]any{}
	lists := map[string][]json.RawMessage{}
	add := func(list, item string, o any) {
		raw, err := json.Marshal(o)
		require.NoError(t, err)
		byPath[item] = json.RawMessage(raw)
		lists[list] = append(lists[list], raw)
	}
	for _, o := range objects {
		switch o := o.(type) {
		case *corev1.Pod:
			o.APIVersion, o.Kind = "v1", "Pod"
			add("/api/v1/namespaces/"+o.Namespace+"/pods", "/api/v1/namespaces/"+o.Namespace+"/pods/"+o.Name, o)
			lists["/api/v1/pods"] = append(lists["/api/v1/pods"], byPath["/api/v1/namespaces/"+o.Namespace+"/pods/"+o.Name].(json.RawMessage))
		case *corev1.Secret:
			add("/api/v1/namespaces/"+o.Namespace+"/secrets", "/api/v1/namespaces/"+o.Namespace+"/secrets/"+o.Name, o)
		case *corev1.ServiceAccount:
			add("/api/v1/namespaces/"+o.Namespace+"/serviceaccounts", "/api/v1/namespaces/"+o.Namespace+"/serviceaccounts/"+o.Name, o)
		case *corev1.Node:
			add("/api/v1/nodes", "/api/v1/nodes/"+o.Name, o)
		case *corev1.Event:
			add("/api/v1/namespaces/"+o.Namespace+"/events", "/api/v1/namespaces/"+o.Namespace+"/events/"+o.Name, o)
		default:
			t.Fatalf("fakeAPIServer: %T", o)
		}
	}
	status := func(w http.ResponseWriter, code int, reason string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":%q,"code":%d,"message":"%s"}`, reason, code, strings.ToLower(reason))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			status(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
			return
		}
		for _, f := range forbidden {
			if strings.HasPrefix(r.URL.Path, f) {
				status(w, http.StatusForbidden, "Forbidden")
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if o, ok := byPath[r.URL.Path]; ok {
			json.NewEncoder(w).Encode(o)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/pods") || strings.HasSuffix(r.URL.Path, "/events") || strings.HasSuffix(r.URL.Path, "/secrets") {
			items := lists[r.URL.Path]
			if items == nil {
				items = []json.RawMessage{}
			}
			kind := map[string]string{"pods": "PodList", "events": "EventList", "secrets": "SecretList"}[r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]]
			json.NewEncoder(w).Encode(map[string]any{"kind": kind, "apiVersion": "v1", "metadata": map[string]string{}, "items": items})
			return
		}
		status(w, http.StatusNotFound, "NotFound")
	}))
	t.Cleanup(srv.Close)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: `+srv.URL+`
contexts:
- name: fake
  context:
    cluster: fake
    user: nobody
    namespace: shop
current-context: fake
users:
- name: nobody
  user: {}
`), 0o600))
	return kubeconfig
}

func doctorPod(name, image string, policy corev1.PullPolicy, reason, message string, secrets ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, UID: types.UID("uid-" + name)},
		Spec: corev1.PodSpec{NodeName: "node-1", ServiceAccountName: "default",
			Containers: []corev1.Container{{Name: "app", Image: image, ImagePullPolicy: policy}}}}
	for _, s := range secrets {
		p.Spec.ImagePullSecrets = append(p.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: s})
	}
	state := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	if reason != "" {
		state = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}
	}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", State: state}}
	return p
}

// TestDoctor runs `imagepull doctor` against a fake API server and a loopback registry:
// golden text and JSON per scenario, exit codes, and no credential in the output.
func TestDoctor(t *testing.T) {
	const user, password = "bot", "doctor-s3cret-pw"
	reg := registrytest.New(t, registrytest.Options{})
	for _, tag := range []string{"team/app:v1", "private/app:v1"} {
		_, err := reg.PushRandom(t.Context(), tag)
		require.NoError(t, err)
	}
	reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: user, Password: password, PathPrefix: "/v2/private/"})
	host := reg.Host()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	stale := base64.StdEncoding.EncodeToString([]byte(user + ":expired-pw"))
	secret := func(name, registry, auth string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, UID: types.UID("uid-" + name)},
			Type: corev1.SecretTypeDockerConfigJson,
			Data: map[string][]byte{corev1.DockerConfigJsonKey: fmt.Appendf(nil, `{"auths":{%q:{"auth":%q}}}`, registry, auth)}}
	}
	objects := []any{
		doctorPod("running", host+"/team/app:v1", "", "", ""),
		doctorPod("wrong-tag", host+"/team/app:v2", "", "ErrImagePull", `rpc error: code = NotFound desc = failed to pull and unpack image "`+host+`/team/app:v2": not found`),
		doctorPod("missing-secret", host+"/private/app:v1", "", "ImagePullBackOff", `Back-off pulling image "`+host+`/private/app:v1"`, "regcred"),
		doctorPod("other-registry", host+"/private/app:v1", "", "ErrImagePull", "401 Unauthorized", "ghcr"),
		doctorPod("expired", host+"/private/app:v1", corev1.PullAlways, "ErrImagePull", "401 Unauthorized", "stale"),
		doctorPod("good-secret", host+"/private/app:v1", corev1.PullAlways, "", "", "good"),
		doctorPod("never", host+"/team/app:v1", corev1.PullNever, "ErrImageNeverPull", `Container image "`+host+`/team/app:v1" is not present with pull policy of Never`),
		secret("ghcr", "ghcr.io", auth), secret("stale", host, stale), secret("good", host, auth),
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "default"}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}},
		&corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "ev1"}, Type: "Warning", Reason: "FailedToRetrieveImagePullSecret",
			Message:        "Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.",
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "missing-secret", UID: "uid-missing-secret"}},
	}
	kubeconfig := fakeAPIServer(t, nil, objects...)
	ph := placeholders{{host, "REGISTRY"}, {kubeconfig, "KUBECONFIG"}}
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"waiting pods", []string{}, exitFailure},
		{"waiting pods json", []string{"-o", "json"}, exitFailure},
		{"one running pod", []string{"pod/running"}, exitOK},
		{"a pod whose Secret works", []string{"pod/good-secret", "-n", "shop"}, exitOK},
		{"all namespaces", []string{"-A"}, exitFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, append(append([]string{"doctor"}, tc.args...), "--kubeconfig", kubeconfig, "--plain-http", "127.0.0.1")...)
			assert.Equal(t, tc.code, res.code, res.stderr)
			assert.Empty(t, res.stderr)
			for _, s := range []string{password, auth, "expired-pw", stale} {
				assert.NotContains(t, res.stdout, s, "a credential in the output")
			}
			golden(t, "doctor-"+strings.ReplaceAll(tc.name, " ", "-"), digestRE.ReplaceAllString(ph.apply(res.stdout), "sha256:DIGEST"))
		})
	}
	t.Run("the node's credentials: a credential provider plugin, then a docker config", func(t *testing.T) {
		plugin, calls := pluginFlags(t, host, user, password)
		res := run(t, append([]string{"doctor", "pod/missing-secret", "--kubeconfig", kubeconfig, "--plain-http", "127.0.0.1"}, plugin...)...)
		assert.Equal(t, exitOK, res.code, res.stdout+res.stderr)
		assert.Equal(t, 1, pluginRuns(t, calls))
		assert.Contains(t, res.stdout, "credentials 1. credential provider plugin (user bot)\n")
		assert.Contains(t, res.stdout, "cause       None: the registry serves")
		assert.NotContains(t, res.stdout, password)

		res = run(t, "doctor", "pod/missing-secret", "--kubeconfig", kubeconfig, "--plain-http", "127.0.0.1", "--docker-config", dockerConfig(t, host, user, "expired-pw"))
		assert.Equal(t, exitFailure, res.code, res.stdout+res.stderr)
		assert.Contains(t, res.stdout, "credentials 1. node docker config (user bot)\n")
		assert.Contains(t, res.stdout, "cause       MissingSecret:", "the node's credential refused, the missing Secret is the cause")
		assert.NotContains(t, res.stdout, "expired-pw")
	})
	t.Run("the context's namespace, and KUBECONFIG from the environment", func(t *testing.T) {
		res := runEnv(t, []string{"KUBECONFIG=" + kubeconfig}, "doctor", "pod/running", "--plain-http", "127.0.0.1")
		assert.Equal(t, exitOK, res.code, res.stderr)
		assert.Contains(t, res.stdout, "pod shop/running")
	})
}

// TestDoctorForbidden: without get secrets and get nodes, doctor says what it could not read
// and goes on; without list pods, it names the verb and fails.
func TestDoctorForbidden(t *testing.T) {
	objects := []any{
		doctorPod("p", "127.0.0.1:1/private/app:v1", "", "ErrImagePull", "401", "regcred"),
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson},
	}
	kubeconfig := fakeAPIServer(t, []string{"/api/v1/namespaces/shop/secrets", "/api/v1/nodes"}, objects...)
	res := run(t, "doctor", "pod/p", "--kubeconfig", kubeconfig, "--no-registry")
	assert.Equal(t, exitFailure, res.code, res.stderr)
	golden(t, "doctor-forbidden", res.stdout)

	kubeconfig = fakeAPIServer(t, []string{"/api/v1/namespaces/shop/pods"}, objects...)
	res = run(t, "doctor", "--kubeconfig", kubeconfig)
	assert.Equal(t, exitFailure, res.code)
	assert.Empty(t, res.stdout)
	assert.Contains(t, res.stderr, "imagepull doctor: forbidden: cannot list pods in namespace shop (the ClusterRole in examples/doctor/clusterrole.yaml grants it)")
}

func TestDoctorUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"doctor", "service/web"}, `imagepull doctor: target "service/web": unknown kind "service"`},
		{[]string{"doctor", "-A", "pod/web"}, `imagepull doctor: -A diagnoses every waiting pod: give it no TARGET`},
		{[]string{"doctor", "a", "b"}, `imagepull doctor: unexpected argument "b"`},
		{[]string{"doctor", "--kubeconfig", "/does/not/exist"}, `imagepull doctor: kubeconfig: `},
	} {
		res := run(t, tc.args...)
		assert.Equal(t, exitUsage, res.code, tc.args)
		assert.Empty(t, res.stdout)
		assert.True(t, strings.HasPrefix(res.stderr, tc.want), "got %q", res.stderr)
	}
}
