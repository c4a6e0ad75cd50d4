package webhook_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/imagepull/imagepull/admission/webhook"
)

// op is a JSONPatch operation as the webhook writes them.
type op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
}

// allFour is the patch that sets every image-bearing field of pod(…) to Always.
var allFour = []op{
	{"add", "/spec/initContainers/0/imagePullPolicy", "Always"},
	{"add", "/spec/containers/0/imagePullPolicy", "Always"},
	{"add", "/spec/ephemeralContainers/0/imagePullPolicy", "Always"},
	{"add", "/spec/volumes/1/image/pullPolicy", "Always"},
}

const notAPod = "Resource was marked with kind Pod but was unable to be converted"

func TestMutate(t *testing.T) {
	newImage := pod(corev1.PullNever)
	newImage.Spec.Containers[0].Image = "registry.example/app:2"
	mixed := pod(corev1.PullAlways)
	mixed.Spec.Containers[0].ImagePullPolicy = corev1.PullIfNotPresent
	mixed.Spec.Volumes[1].Image.PullPolicy = corev1.PullNever

	tests := []struct {
		name string
		cfg  webhook.Config
		req  *admissionv1.AdmissionRequest
		// want is the patch expected, nil for none.
		want []op
		// wantDenied is the status code of a denial, 0 when the request is allowed.
		wantDenied int32
		// wantMessage is the denial's message.
		wantMessage string
		// wantDecision is the decision logged.
		wantDecision string
	}{
		{name: "create, Never", req: request(admissionv1.Create, pod(corev1.PullNever), nil), want: allFour, wantDecision: "patched"},
		{name: "create, IfNotPresent", req: request(admissionv1.Create, pod(corev1.PullIfNotPresent), nil), want: allFour, wantDecision: "patched"},
		{name: "create, unset (absent from the JSON)", req: request(admissionv1.Create, pod(""), nil), want: allFour, wantDecision: "patched"},
		{name: "create, Always", req: request(admissionv1.Create, pod(corev1.PullAlways), nil), wantDecision: "allowed"},
		{name: "create, mixed", req: request(admissionv1.Create, mixed, nil), want: []op{
			{"add", "/spec/containers/0/imagePullPolicy", "Always"},
			{"add", "/spec/volumes/1/image/pullPolicy", "Always"},
		}, wantDecision: "patched"},
		{name: "update with a new image", req: request(admissionv1.Update, newImage, pod(corev1.PullNever)), want: allFour, wantDecision: "patched"},
		{name: "update without a new image", req: request(admissionv1.Update, pod(corev1.PullNever), pod(corev1.PullNever)), wantDecision: "skipped"},
		{name: "update from an unreadable old object", req: func() *admissionv1.AdmissionRequest {
			r := request(admissionv1.Update, pod(corev1.PullNever), nil)
			r.OldObject.Raw = []byte(`{"spec":7}`)
			return r
		}(), want: allFour, wantDecision: "patched"},
		{name: "ephemeralcontainers subresource", req: func() *admissionv1.AdmissionRequest {
			r := request(admissionv1.Update, newImage, pod(corev1.PullNever))
			r.SubResource = "ephemeralcontainers"
			return r
		}(), wantDecision: "skipped"},
		{name: "deployments", req: func() *admissionv1.AdmissionRequest {
			r := request(admissionv1.Create, pod(corev1.PullNever), nil)
			r.Resource = metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
			return r
		}(), wantDecision: "skipped"},
		{name: "delete", req: request(admissionv1.Delete, nil, pod(corev1.PullNever)), wantDecision: "skipped"},
		{name: "kube-system is excluded by default", req: func() *admissionv1.AdmissionRequest {
			r := request(admissionv1.Create, pod(corev1.PullNever), nil)
			r.Namespace = "kube-system"
			return r
		}(), wantDecision: "excluded"},
		{name: "kube-system when no namespace is excluded", cfg: webhook.Config{ExcludeNamespaces: []string{}}, req: func() *admissionv1.AdmissionRequest {
			r := request(admissionv1.Create, pod(corev1.PullNever), nil)
			r.Namespace = "kube-system"
			return r
		}(), want: allFour, wantDecision: "patched"},
		{name: "an excluded namespace", cfg: webhook.Config{ExcludeNamespaces: []string{"ci", "team-a"}},
			req: request(admissionv1.Create, pod(corev1.PullNever), nil), wantDecision: "excluded"},
		{name: "labels matching the exclusion selector", cfg: webhook.Config{ExcludeSelector: "app in (web, db)"},
			req: request(admissionv1.Create, pod(corev1.PullNever), nil), wantDecision: "excluded"},
		{name: "labels not matching the exclusion selector", cfg: webhook.Config{ExcludeSelector: "app=db"},
			req: request(admissionv1.Create, pod(corev1.PullNever), nil), want: allFour, wantDecision: "patched"},
		{name: "a service on the pods resource", req: request(admissionv1.Create, &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}}, nil),
			wantDenied: http.StatusBadRequest, wantMessage: notAPod, wantDecision: "denied"},
		{name: "a pod of another version", req: request(admissionv1.Create, &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v2", Kind: "Pod"}}, nil),
			wantDenied: http.StatusBadRequest, wantMessage: notAPod, wantDecision: "denied"},
		{name: "no object", req: request(admissionv1.Create, nil, nil),
			wantDenied: http.StatusBadRequest, wantMessage: notAPod, wantDecision: "denied"},
		{name: "an object that is not JSON", req: func() *admissionv1.AdmissionRequest {
			r := request(admissionv1.Create, nil, nil)
			r.Object = runtime.RawExtension{Raw: []byte(`"spec"`)}
			return r
		}(), wantDenied: http.StatusBadRequest, wantMessage: "imagepull webhook: decoding the object: json: cannot unmarshal string into a v1 Pod", wantDecision: "denied"},
		{name: "a pod whose spec does not fit", req: func() *admissionv1.AdmissionRequest {
			r := request(admissionv1.Create, nil, nil)
			r.Object = runtime.RawExtension{Raw: []byte(`{"apiVersion":"v1","kind":"Pod","spec":{"containers":7}}`)}
			return r
		}(), wantDenied: http.StatusBadRequest, wantMessage: "imagepull webhook: decoding the object: json: cannot unmarshal number into the Pod field spec.containers", wantDecision: "denied"},
		{name: "a pod whose kind is a number", req: func() *admissionv1.AdmissionRequest {
			r := request(admissionv1.Create, nil, nil)
			r.Object = runtime.RawExtension{Raw: []byte(`{"kind":5}`)}
			return r
		}(), wantDenied: http.StatusBadRequest, wantMessage: "imagepull webhook: decoding the object: json: cannot unmarshal number into the Pod field kind", wantDecision: "denied"},
		{name: "an object without a type, known from the review's kind", req: func() *admissionv1.AdmissionRequest {
			p := pod(corev1.PullNever)
			p.TypeMeta = metav1.TypeMeta{}
			return request(admissionv1.Create, p, nil)
		}(), want: allFour, wantDecision: "patched"},
		{name: "dry run", cfg: webhook.Config{DryRun: true}, req: request(admissionv1.Create, pod(corev1.PullNever), nil), wantDecision: "would-patch"},
		{name: "dry run, a service on the pods resource", cfg: webhook.Config{DryRun: true},
			req: request(admissionv1.Create, &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}}, nil), wantDecision: "would-deny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.cfg)
			resp := h.review(t, "/mutate", tt.req)
			if tt.wantDenied != 0 {
				assert.False(t, resp.Allowed)
				require.NotNil(t, resp.Result)
				assert.Equal(t, tt.wantDenied, resp.Result.Code)
				assert.Equal(t, metav1.StatusFailure, resp.Result.Status)
				assert.Equal(t, tt.wantMessage, resp.Result.Message)
				assert.Nil(t, resp.Patch)
			} else {
				assert.True(t, resp.Allowed)
				assert.Nil(t, resp.Result)
				if tt.want == nil {
					assert.Nil(t, resp.Patch)
					assert.Nil(t, resp.PatchType)
				} else {
					require.NotNil(t, resp.PatchType)
					assert.Equal(t, admissionv1.PatchTypeJSONPatch, *resp.PatchType)
					var got []op
					require.NoError(t, json.Unmarshal(resp.Patch, &got))
					assert.Equal(t, tt.want, got)
				}
			}
			lines := h.logLines(t)
			require.Len(t, lines, 1, "one line per decision")
			assert.Equal(t, tt.wantDecision, lines[0]["decision"])
			assert.Equal(t, "mutate", lines[0]["endpoint"])
			assert.Equal(t, string(tt.req.UID), lines[0]["uid"])
		})
	}
}

func TestMutateDryRunWarns(t *testing.T) {
	h := newHarness(t, webhook.Config{DryRun: true})
	mixed := pod(corev1.PullAlways)
	mixed.Spec.InitContainers[0].ImagePullPolicy = corev1.PullNever
	mixed.Spec.Volumes[1].Image.PullPolicy = corev1.PullIfNotPresent
	resp := h.review(t, "/mutate", request(admissionv1.Create, mixed, nil))
	assert.True(t, resp.Allowed)
	assert.Nil(t, resp.Patch)
	assert.Equal(t, []string{
		`imagepull dry run: would set spec.initContainers[0].imagePullPolicy to Always (was "Never")`,
		`imagepull dry run: would set spec.volumes[1].image.pullPolicy to Always (was "IfNotPresent")`,
	}, resp.Warnings)
	line := h.logLines(t)[0]
	assert.Equal(t, []any{"spec.initContainers[0].imagePullPolicy", "spec.volumes[1].image.pullPolicy"}, line["fields"])
	assert.Equal(t, true, line["dry_run"])
}

func TestDryRunNeverDenies(t *testing.T) {
	h := newHarness(t, webhook.Config{DryRun: true})
	for _, path := range []string{"/mutate", "/validate"} {
		r := request(admissionv1.Create, nil, nil)
		r.Object = runtime.RawExtension{Raw: []byte(`{"apiVersion":"v1","kind":"Pod","spec":{"containers":7}}`)}
		resp := h.review(t, path, r)
		assert.True(t, resp.Allowed, path)
		assert.Nil(t, resp.Result)
		require.Len(t, resp.Warnings, 1)
		assert.True(t, strings.HasPrefix(resp.Warnings[0], "imagepull dry run: would deny: imagepull webhook: decoding the object: "), resp.Warnings[0])
	}
}

func TestValidate(t *testing.T) {
	const never = `: Unsupported value: "Never": supported values: "Always"`
	oneBad := pod(corev1.PullAlways)
	oneBad.Spec.Containers[0].ImagePullPolicy = corev1.PullNever
	generated := pod(corev1.PullAlways)
	generated.Name, generated.GenerateName = "", "web-"
	generated.Spec.Volumes[1].Image.PullPolicy = corev1.PullIfNotPresent
	tests := []struct {
		name string
		cfg  webhook.Config
		req  *admissionv1.AdmissionRequest
		// wantDenied is the denial's code, 0 when allowed.
		wantDenied  int32
		wantMessage string
		// wantWarnings are the dry run's warnings.
		wantWarnings []string
		wantDecision string
	}{
		{name: "Always everywhere", req: request(admissionv1.Create, pod(corev1.PullAlways), nil), wantDecision: "allowed"},
		{name: "Never everywhere", req: request(admissionv1.Create, pod(corev1.PullNever), nil), wantDenied: http.StatusForbidden,
			wantMessage: `[pods "web" is forbidden: spec.initContainers[0].imagePullPolicy` + never +
				`, pods "web" is forbidden: spec.containers[0].imagePullPolicy` + never +
				`, pods "web" is forbidden: spec.ephemeralContainers[0].imagePullPolicy` + never +
				`, pods "web" is forbidden: spec.volumes[1].image.pullPolicy` + never + `]`,
			wantDecision: "denied"},
		{name: "one container", req: request(admissionv1.Create, oneBad, nil), wantDenied: http.StatusForbidden,
			wantMessage: `pods "web" is forbidden: spec.containers[0].imagePullPolicy` + never, wantDecision: "denied"},
		{name: "generateName", req: request(admissionv1.Create, generated, nil), wantDenied: http.StatusForbidden,
			wantMessage:  `pods "web-" is forbidden: spec.volumes[1].image.pullPolicy: Unsupported value: "IfNotPresent": supported values: "Always"`,
			wantDecision: "denied"},
		{name: "update without a new image", req: request(admissionv1.Update, pod(corev1.PullNever), pod(corev1.PullNever)), wantDecision: "skipped"},
		{name: "status subresource", req: func() *admissionv1.AdmissionRequest {
			r := request(admissionv1.Update, pod(corev1.PullNever), pod(corev1.PullNever))
			r.SubResource = "status"
			return r
		}(), wantDecision: "skipped"},
		{name: "a config map on the pods resource", req: request(admissionv1.Create, &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}}, nil),
			wantDenied: http.StatusBadRequest, wantMessage: notAPod, wantDecision: "denied"},
		{name: "dry run", cfg: webhook.Config{DryRun: true}, req: request(admissionv1.Create, oneBad, nil),
			wantWarnings: []string{`imagepull dry run: would deny: pods "web" is forbidden: spec.containers[0].imagePullPolicy` + never},
			wantDecision: "would-deny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.cfg)
			resp := h.review(t, "/validate", tt.req)
			assert.Nil(t, resp.Patch, "validate never patches")
			if tt.wantDenied != 0 {
				assert.False(t, resp.Allowed)
				require.NotNil(t, resp.Result)
				assert.Equal(t, tt.wantDenied, resp.Result.Code)
				assert.Equal(t, tt.wantMessage, resp.Result.Message)
				if tt.wantDenied == http.StatusForbidden {
					assert.Equal(t, metav1.StatusReasonForbidden, resp.Result.Reason)
					require.NotNil(t, resp.Result.Details)
					assert.Equal(t, "pods", resp.Result.Details.Kind)
				}
			} else {
				assert.True(t, resp.Allowed)
				assert.Nil(t, resp.Result)
				assert.Equal(t, tt.wantWarnings, resp.Warnings)
			}
			lines := h.logLines(t)
			require.Len(t, lines, 1)
			assert.Equal(t, tt.wantDecision, lines[0]["decision"])
			assert.Equal(t, "validate", lines[0]["endpoint"])
		})
	}
}

func TestMalformedReviews(t *testing.T) {
	valid := reviewBody(request(admissionv1.Create, pod(corev1.PullNever), nil))
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        []byte
		wantCode    int
		wantBody    string
	}{
		{"not JSON", http.MethodPost, "/mutate", "application/json", []byte("{"), http.StatusBadRequest, "malformed AdmissionReview: unexpected end of JSON input"},
		{"a JSON array", http.MethodPost, "/validate", "application/json", []byte("[]"), http.StatusBadRequest, "malformed AdmissionReview: json: cannot unmarshal array into Go value of type v1.AdmissionReview"},
		{"empty body", http.MethodPost, "/mutate", "application/json", nil, http.StatusBadRequest, "malformed AdmissionReview: unexpected end of JSON input"},
		{"no request", http.MethodPost, "/mutate", "application/json", []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`), http.StatusBadRequest, "AdmissionReview has no request"},
		{"no uid", http.MethodPost, "/mutate", "application/json", []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}`), http.StatusBadRequest, "AdmissionReview request has no uid"},
		{"v1beta1", http.MethodPost, "/mutate", "application/json", bytes.Replace(valid, []byte("admission.k8s.io/v1"), []byte("admission.k8s.io/v1beta1"), 1), http.StatusBadRequest,
			`expected an AdmissionReview of admission.k8s.io/v1, got kind "AdmissionReview" of "admission.k8s.io/v1beta1"`},
		{"another kind", http.MethodPost, "/mutate", "application/json", []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"x"}}`), http.StatusBadRequest,
			`expected an AdmissionReview of admission.k8s.io/v1, got kind "Pod" of "admission.k8s.io/v1"`},
		{"another content type", http.MethodPost, "/mutate", "application/yaml", valid, http.StatusUnsupportedMediaType, `content type "application/yaml" is not application/json`},
		{"a broken content type", http.MethodPost, "/mutate", "application/json; =", valid, http.StatusUnsupportedMediaType, `content type "application/json; =" is not application/json`},
		{"too large", http.MethodPost, "/mutate", "application/json", append(valid, bytes.Repeat([]byte(" "), 4096)...), http.StatusRequestEntityTooLarge, "AdmissionReview larger than 4096 bytes"},
		{"GET", http.MethodGet, "/mutate", "", nil, http.StatusMethodNotAllowed, ""},
		{"unknown path", http.MethodPost, "/admit", "application/json", valid, http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, webhook.Config{MaxRequestBytes: 4096})
			req, err := http.NewRequestWithContext(t.Context(), tt.method, h.srv.URL+tt.path, bytes.NewReader(tt.body))
			require.NoError(t, err)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := h.srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.wantCode, resp.StatusCode)
			var body bytes.Buffer
			_, err = body.ReadFrom(resp.Body)
			require.NoError(t, err)
			if tt.wantBody != "" {
				assert.Equal(t, tt.wantBody, strings.TrimSpace(body.String()))
				lines := h.logLines(t)
				require.Len(t, lines, 1)
				assert.Equal(t, "error", lines[0]["decision"])
				assert.Equal(t, float64(tt.wantCode), lines[0]["http_status"])
			}
		})
	}
}

func TestHealth(t *testing.T) {
	h := newHarness(t, webhook.Config{})
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := h.srv.Client().Get(h.srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
}

func TestNewHandlerRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  webhook.Config
		want string
	}{
		{"selector", webhook.Config{ExcludeSelector: "app in (web"}, `webhook: --exclude-selector "app in (web": `},
		{"negative size", webhook.Config{MaxRequestBytes: -1}, "webhook: --max-request-bytes must not be negative, got -1"},
		{"negative budget", webhook.Config{MaxInflightBytes: -1}, "webhook: --max-inflight-bytes must not be negative, got -1"},
		{"negative timeout", webhook.Config{WriteTimeout: -1}, "webhook: --write-timeout must not be negative, got -1ns"},
		{"empty namespace", webhook.Config{ExcludeNamespaces: []string{"kube-system", ""}}, `webhook: --exclude-namespaces: invalid namespace ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webhook.NewHandler(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
