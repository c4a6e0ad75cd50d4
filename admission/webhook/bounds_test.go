package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/admission"
	"github.com/imagepull/imagepull/admission/webhook"
	"github.com/imagepull/imagepull/internal/logbuf"
)

// crowded returns a v1 pod named name in "team-a" with n containers of the given policy.
func crowded(name string, n int, policy corev1.PullPolicy) *corev1.Pod {
	p := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "team-a"},
	}
	p.Spec.Containers = make([]corev1.Container, n)
	for i := range p.Spec.Containers {
		p.Spec.Containers[i] = corev1.Container{Name: "c", Image: "i", ImagePullPolicy: policy}
	}
	return p
}

// TestManyFields pins issue 18 (1): a review with 100,000 fields that are not Always is
// answered (the message was built in quadratic time: it never was), names MaxNamedFields of them
// and counts the others, and so do the log line and the dry run's warnings. The patch still sets
// every field. (The other paths share the 100,000-field case's code; 5,000 fields keep them
// fast under -race.)
func TestManyFields(t *testing.T) {
	const big, small = 100_000, 5_000
	cfg := webhook.Config{MaxRequestBytes: 32 << 20}
	dryRun := webhook.Config{MaxRequestBytes: 32 << 20, DryRun: true}
	bigReq := request(admissionv1.Create, crowded("web", big, corev1.PullNever), nil)
	smallReq := request(admissionv1.Create, crowded("web", small, corev1.PullNever), nil)

	t.Run("validate, 100,000 fields", func(t *testing.T) {
		h := newHarness(t, cfg)
		resp := h.review(t, "/validate", bigReq)
		assert.False(t, resp.Allowed)
		require.NotNil(t, resp.Result)
		assert.True(t, strings.HasSuffix(resp.Result.Message,
			`spec.containers[31].imagePullPolicy: Unsupported value: "Never": supported values: "Always", and 99968 more fields not "Always"]`))
		assert.Equal(t, admission.MaxNamedFields, strings.Count(resp.Result.Message, " is forbidden: "))
		line := h.logLines(t)[0]
		assert.Len(t, line["fields"], admission.MaxNamedFields)
		assert.Equal(t, float64(big-admission.MaxNamedFields), line["fields_more"])
	})
	t.Run("validate, dry run", func(t *testing.T) {
		h := newHarness(t, dryRun)
		resp := h.review(t, "/validate", smallReq)
		assert.True(t, resp.Allowed)
		require.Len(t, resp.Warnings, 1)
		assert.True(t, strings.HasSuffix(resp.Warnings[0], `, and 4968 more fields not "Always"]`))
	})
	t.Run("mutate", func(t *testing.T) {
		h := newHarness(t, cfg)
		resp := h.review(t, "/mutate", smallReq)
		var ops []op
		require.NoError(t, json.Unmarshal(resp.Patch, &ops))
		require.Len(t, ops, small, "every field is set")
		assert.Equal(t, op{"add", "/spec/containers/4999/imagePullPolicy", "Always"}, ops[small-1])
		line := h.logLines(t)[0]
		assert.Len(t, line["fields"], admission.MaxNamedFields)
		assert.Equal(t, float64(small-admission.MaxNamedFields), line["fields_more"])
	})
	t.Run("mutate, dry run", func(t *testing.T) {
		h := newHarness(t, dryRun)
		resp := h.review(t, "/mutate", smallReq)
		require.Len(t, resp.Warnings, admission.MaxNamedFields+1)
		assert.Equal(t, `imagepull dry run: would set spec.containers[31].imagePullPolicy to Always (was "Never")`, resp.Warnings[admission.MaxNamedFields-1])
		assert.Equal(t, "imagepull dry run: would set 4968 more fields to Always", resp.Warnings[admission.MaxNamedFields])
	})
}

// TestLogLinesBounded pins issue 18 (3): a review with a 3 MB pod name, a 3 MB username and
// 100,000 fields writes a log line of a few kilobytes (it wrote one of several megabytes); so
// does every other path that logs (with 5,000 fields, to stay fast under -race).
func TestLogLinesBounded(t *testing.T) {
	huge := strings.Repeat("x", 3<<20)
	const maxLine = 16 << 10
	hostile := func(n int) *admissionv1.AdmissionRequest {
		req := request(admissionv1.Create, crowded(huge, n, corev1.PullNever), nil)
		req.Name, req.Namespace, req.UserInfo.Username = huge, huge, huge
		return req
	}
	big, small := hostile(100_000), hostile(5_000)
	for _, tt := range []struct {
		name string
		path string
		cfg  webhook.Config
		req  *admissionv1.AdmissionRequest
	}{
		{"validate, 100,000 fields", "/validate", webhook.Config{}, big},
		{"validate, dry run", "/validate", webhook.Config{DryRun: true}, small},
		{"mutate", "/mutate", webhook.Config{}, small},
		{"mutate, dry run", "/mutate", webhook.Config{DryRun: true}, small},
		{"excluded namespace", "/mutate", webhook.Config{ExcludeNamespaces: []string{huge}}, small},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.MaxRequestBytes = 32 << 20
			h := newHarness(t, tt.cfg)
			resp := h.review(t, tt.path, tt.req)
			if resp.Result != nil {
				assert.Less(t, len(resp.Result.Message), 64<<10)
			}
			lines := strings.Split(strings.TrimSpace(h.log.String()), "\n")
			require.Len(t, lines, 1)
			assert.Less(t, len(lines[0]), maxLine)
			assert.Contains(t, lines[0], "bytes cut]")
		})
	}
	t.Run("rejected review", func(t *testing.T) {
		h := newHarness(t, webhook.Config{})
		code, _ := h.post(t, "/mutate", "text/"+strings.Repeat("x", 60<<10), []byte("{}"))
		assert.Equal(t, http.StatusUnsupportedMediaType, code)
		lines := strings.Split(strings.TrimSpace(h.log.String()), "\n")
		require.Len(t, lines, 1)
		assert.Less(t, len(lines[0]), maxLine)
	})
}

// TestAbandonedReview pins issue 18 (1): once the request's context has ended (the API server
// gave up), the review is not decided: 503 and an "abandoned" log line, instead of an answer
// nobody reads.
func TestAbandonedReview(t *testing.T) {
	buf := &logbuf.Buffer{}
	h, err := webhook.NewHandler(webhook.Config{Logger: slog.New(slog.NewJSONHandler(buf, nil))})
	require.NoError(t, err)
	for _, path := range []string{"/mutate", "/validate"} {
		t.Run(path, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			rec := httptest.NewRecorder()
			body := reviewBody(request(admissionv1.Create, crowded("web", 1000, corev1.PullNever), nil))
			h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodPost, path, bytes.NewReader(body)))
			assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
			assert.Contains(t, buf.String(), `"decision":"abandoned"`)
			assert.NotContains(t, buf.String(), `"msg":"admission decision"`)
		})
	}
}

// heldBody is a request body whose first Read closes reading, then waits for release before
// returning the data.
type heldBody struct {
	data             *bytes.Reader
	reading, release chan struct{}
	started          bool
}

func (b *heldBody) Read(p []byte) (int, error) {
	if !b.started {
		b.started = true
		close(b.reading)
		<-b.release
	}
	return b.data.Read(p)
}

// TestInflightBudget pins issue 18 (2): while a review holds the in-flight budget, another that
// does not fit is answered 429 with Retry-After at once (it was served, however many came), the
// health endpoints still answer, and the budget comes back once the first review is answered.
func TestInflightBudget(t *testing.T) {
	body := reviewBody(request(admissionv1.Create, pod(corev1.PullNever), nil))
	buf := &logbuf.Buffer{}
	h, err := webhook.NewHandler(webhook.Config{
		MaxRequestBytes: 64 << 10, MaxInflightBytes: int64(len(body)) + 100,
		Logger: slog.New(slog.NewJSONHandler(buf, nil)),
	})
	require.NoError(t, err)
	serve := func(path string, r io.Reader, length int64) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, r)
		req.ContentLength = length
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	held := &heldBody{data: bytes.NewReader(body), reading: make(chan struct{}), release: make(chan struct{})}
	first := make(chan *httptest.ResponseRecorder, 1)
	go func() { first <- serve("/mutate", held, int64(len(body))) }()
	<-held.reading // the first review has taken its bytes and is reading its body

	for _, path := range []string{"/mutate", "/validate"} {
		rec := serve(path, bytes.NewReader(body), int64(len(body)))
		assert.Equal(t, http.StatusTooManyRequests, rec.Code, path)
		assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	}
	rec := serve("/mutate", bytes.NewReader(body), -1) // unknown length: counted at the limit
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	for _, path := range []string{"/healthz", "/readyz"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil))
		assert.Equal(t, http.StatusOK, rec.Code, path)
	}

	close(held.release)
	assert.Equal(t, http.StatusOK, (<-first).Code)
	assert.Equal(t, http.StatusOK, serve("/mutate", bytes.NewReader(body), int64(len(body))).Code, "the budget came back")
	assert.Contains(t, buf.String(), `"http_status":429`)
}

// TestOneReviewAlwaysFits: a budget smaller than a review still serves it when nothing else is
// in flight, and a declared length over the size limit is refused before reading.
func TestOneReviewAlwaysFits(t *testing.T) {
	h := newHarness(t, webhook.Config{MaxInflightBytes: 10})
	resp := h.review(t, "/mutate", request(admissionv1.Create, pod(corev1.PullNever), nil))
	assert.True(t, resp.Allowed)

	small := newHarness(t, webhook.Config{MaxRequestBytes: 100})
	code, body := small.post(t, "/mutate", "application/json", bytes.Repeat([]byte(" "), 200))
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, "AdmissionReview larger than 100 bytes\n", string(body))
}
