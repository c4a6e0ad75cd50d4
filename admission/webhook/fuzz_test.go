package webhook_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/admission/webhook"
)

// FuzzReview sends arbitrary bodies to both endpoints: the handler must never panic, must answer
// 200 with a review for the same uid, or a 4xx, and a 200 that patches must patch only pull
// policies to Always.
func FuzzReview(f *testing.F) {
	f.Add(reviewBody(request(admissionv1.Create, pod(corev1.PullNever), nil)))
	f.Add(reviewBody(request(admissionv1.Update, pod(corev1.PullNever), pod(corev1.PullAlways))))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{"spec":{"volumes":[{"image":{}}]}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":null}}`))
	f.Add([]byte(`{`))
	h, err := webhook.NewHandler(webhook.Config{Logger: slog.New(slog.DiscardHandler), MaxRequestBytes: 1 << 16})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, path := range []string{"/mutate", "/validate"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
			if rec.Code != http.StatusOK {
				assert.True(t, rec.Code >= 400 && rec.Code < 500, "status %d", rec.Code)
				continue
			}
			var in, out admissionv1.AdmissionReview
			require.NoError(t, json.Unmarshal(body, &in))
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
			require.NotNil(t, out.Response)
			assert.Equal(t, in.Request.UID, out.Response.UID)
			if len(out.Response.Patch) == 0 {
				continue
			}
			assert.Equal(t, "/mutate", path)
			var ops []op
			require.NoError(t, json.Unmarshal(out.Response.Patch, &ops))
			for _, o := range ops {
				assert.Equal(t, "add", o.Op)
				assert.Equal(t, "Always", o.Value)
				assert.Regexp(t, `^/spec/(initContainers|containers|ephemeralContainers)/\d+/imagePullPolicy$|^/spec/volumes/\d+/image/pullPolicy$`, o.Path)
			}
		}
	})
}
