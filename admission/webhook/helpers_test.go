package webhook_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/imagepull/imagepull/admission/webhook"
	"github.com/imagepull/imagepull/internal/logbuf"
)

// pod returns a v1 pod named "web" in namespace "team-a" with one init container, one container,
// one ephemeral container and one image volume, all with policy.
func pod(policy corev1.PullPolicy) *corev1.Pod {
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "team-a", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Image: "registry.example/init:1", ImagePullPolicy: policy}},
			Containers:     []corev1.Container{{Name: "app", Image: "registry.example/app:1", ImagePullPolicy: policy}},
			EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "debug", Image: "registry.example/debug:1", ImagePullPolicy: policy}}},
			Volumes: []corev1.Volume{
				{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "models", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "registry.example/models:1", PullPolicy: policy}}},
			},
		},
	}
}

// request is an AdmissionRequest for the pods resource in "team-a".
func request(op admissionv1.Operation, obj, old runtime.Object) *admissionv1.AdmissionRequest {
	r := &admissionv1.AdmissionRequest{
		UID:       types.UID("4b0a5f1e-2d51-4a5e-9a43-36cdbf5f8d10"),
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
		Namespace: "team-a",
		Operation: op,
		UserInfo:  authUser,
	}
	if obj != nil {
		r.Object = runtime.RawExtension{Raw: mustJSON(obj)}
	}
	if old != nil {
		r.OldObject = runtime.RawExtension{Raw: mustJSON(old)}
	}
	return r
}

// authUser is the user the tests' reviews come from.
var authUser = authenticationv1.UserInfo{Username: "alice"}

// reviewBody wraps req in an admission.k8s.io/v1 AdmissionReview.
func reviewBody(req *admissionv1.AdmissionRequest) []byte {
	return mustJSON(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request:  req,
	})
}

// mustJSON marshals v, which the tests build to be marshalable.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// harness is a Handler behind an httptest server with its log captured.
type harness struct {
	srv *httptest.Server
	log *logbuf.Buffer
}

// newHarness serves a Handler for cfg (Logger replaced) until the test ends.
func newHarness(t *testing.T, cfg webhook.Config) *harness {
	t.Helper()
	buf := &logbuf.Buffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(buf, nil))
	h, err := webhook.NewHandler(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &harness{srv: srv, log: buf}
}

// post sends body to path and returns the status and body.
func (h *harness) post(t *testing.T, path, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, h.srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := h.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, out
}

// review posts req to path and decodes the AdmissionReview answered.
func (h *harness) review(t *testing.T, path string, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	t.Helper()
	code, body := h.post(t, path, "application/json", reviewBody(req))
	require.Equal(t, http.StatusOK, code, "%s", body)
	var out admissionv1.AdmissionReview
	require.NoError(t, json.Unmarshal(body, &out))
	require.Equal(t, "admission.k8s.io/v1", out.APIVersion)
	require.Equal(t, "AdmissionReview", out.Kind)
	require.NotNil(t, out.Response)
	require.Equal(t, req.UID, out.Response.UID)
	return out.Response
}

// logLines decodes the captured log, one JSON object per line.
func (h *harness) logLines(t *testing.T) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.Lines(h.log.String()) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		lines = append(lines, m)
	}
	return lines
}
