package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/imagepull/imagepull/internal/clip"
	"github.com/imagepull/imagepull/internal/redact"
)

func TestUnreachable(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return &url.Error{Op: "Head", URL: "https://r/v2/", Err: err} }
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"DNS failure", wrap(&net.DNSError{Err: "no such host", Name: "r", IsNotFound: true}), true},
		{"refused", wrap(&net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connect: %w", syscall.ECONNREFUSED)}), true},
		{"reset", wrap(fmt.Errorf("read: %w", syscall.ECONNRESET)), true},
		{"dropped", wrap(io.EOF), true},
		{"deadline", wrap(context.DeadlineExceeded), true},
		{"cancelled", wrap(context.Canceled), false},
		{"unknown certificate authority", wrap(x509.UnknownAuthorityError{}), false},
		{"wrong host name in certificate", wrap(x509.HostnameError{Host: "r"}), false},
		{"certificate verification", wrap(&net.OpError{Op: "dial", Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}), false},
		{"TLS alert from the server", wrap(&net.OpError{Op: "remote error", Err: tls.AlertError(42)}), false},
		{"HTTP answer to HTTPS", wrap(errors.New("http: server gave HTTP response to HTTPS client")), false},
		{"body cut short by the connection", wrap(io.ErrUnexpectedEOF), true},
		{"truncated JSON from a token service", fmt.Errorf(`GET "http://r/token": failed to decode response: %w`, io.ErrUnexpectedEOF), false},
		{"a bare unexpected EOF", io.ErrUnexpectedEOF, false},
		{"a bare EOF", io.EOF, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, unreachable(tc.err))
		})
	}
}

func TestChallengeError(t *testing.T) {
	t.Parallel()
	for challenge, want := range map[string]string{
		`Bearer realm="https://auth/token",service="r",error="insufficient_scope"`: "insufficient_scope",
		`Bearer realm="https://auth/token",error=invalid_token,scope="x"`:          "invalid_token",
		`Basic realm="r"`: "",
		``:                "",
	} {
		assert.Equal(t, want, challengeError(challenge), challenge)
	}
}

// TestStatusErrorMasksBeforeCutting: a secret the registry echoes across the 1 KiB cut of
// Detail is masked before the cut, so that no part of it is kept.
func TestStatusErrorMasksBeforeCutting(t *testing.T) {
	t.Parallel()
	const secret = "0123456789abcdef-very-secret-password"
	var mask redact.Set
	mask.Add(secret)
	for _, at := range []int{clip.MaxField - 40, clip.MaxField - 20, clip.MaxField - 5} {
		msg := strings.Repeat("x", at) + secret + strings.Repeat("y", 100)
		body := `{"errors":[{"code":"DENIED","message":"` + msg + `"}]}`
		resp := &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{},
			Request: &http.Request{Method: http.MethodGet}, Body: io.NopCloser(strings.NewReader(body))}
		e := statusError("r.example/app:v1", "r.example", resp, &mask)
		assert.NotContains(t, e.Detail, secret[:8], "cut at %d", at)
		assert.LessOrEqual(t, len(e.Detail), clip.MaxField)
	}
}
