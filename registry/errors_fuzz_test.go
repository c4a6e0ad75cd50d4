package registry

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/imagepull/imagepull/internal/clip"
)

// maxErrorText bounds Error.Error() for any registry answer: the fixed words, the image and
// registry (valid names, short), and the bounded fields.
const maxErrorText = 1024 + 3*clip.MaxField + clip.MaxErrorText

// FuzzStatusError checks that whatever a registry puts in an error answer (status, challenge,
// error code and message, Retry-After), the error keeps bounded text and classifies a 401 as
// ErrUnauthorized, never as unavailable.
func FuzzStatusError(f *testing.F) {
	f.Add(401, `Bearer realm="https://auth/token",error="insufficient_scope"`, "UNAUTHORIZED", "authentication required", "")
	f.Add(429, "", "TOOMANYREQUESTS", strings.Repeat("slow down ", 200), "5")
	f.Add(401, `Bearer realm="`+strings.Repeat("r", 70000)+`"`, strings.Repeat("C", 5000), strings.Repeat("d", 70000), strings.Repeat("9", 5000))
	f.Fuzz(func(t *testing.T, status int, challenge, code, detail, retryAfter string) {
		if status < 400 || status > 599 {
			t.Skip()
		}
		body, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"code": code, "message": detail}}})
		req, _ := http.NewRequest(http.MethodGet, "http://r/v2/app/manifests/v1", nil)
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(string(body))), Request: req}
		resp.Header.Set("Www-Authenticate", challenge)
		resp.Header.Set("Retry-After", retryAfter)
		e := statusError("docker.io/library/app:v1", "registry.example", resp, nil)
		if n := len(e.Error()); n > maxErrorText {
			t.Fatalf("error text of %d bytes", n)
		}
		if status == http.StatusUnauthorized && !errors.Is(e, ErrUnauthorized) {
			t.Fatalf("a 401 is not ErrUnauthorized: %v", e)
		}
	})
}
