package webhook_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/admission/webhook"
	"github.com/imagepull/imagepull/internal/logbuf"
	"github.com/imagepull/imagepull/internal/tlstest"
)

// tlsServer is a webhook Server on loopback with its CA and files.
type tlsServer struct {
	ca       *tlstest.CA
	dir      string
	url      string
	server   *webhook.Server
	cancel   context.CancelFunc
	done     chan error
	handlerW *logbuf.Buffer
}

// startTLS serves a Server on 127.0.0.1 with a certificate from a fresh CA.
func startTLS(t *testing.T) *tlsServer {
	t.Helper()
	dir := t.TempDir()
	ca, certFile, keyFile, err := tlstest.ServingFiles(dir, "webhook-test", "127.0.0.1")
	require.NoError(t, err)
	logs := &logbuf.Buffer{}
	s, err := webhook.NewServer(webhook.Config{
		TLSCertFile: certFile, TLSKeyFile: keyFile, CertReloadInterval: time.Nanosecond,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	ts := &tlsServer{ca: ca, dir: dir, url: "https://" + ln.Addr().String(), server: s, cancel: cancel, done: done, handlerW: logs}
	t.Cleanup(func() { ts.stop(t) })
	return ts
}

// stop ends Serve and checks it returned cleanly (once).
func (ts *tlsServer) stop(t *testing.T) {
	if ts.done == nil {
		return
	}
	ts.cancel()
	select {
	case err := <-ts.done:
		assert.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Error("Serve did not return after its context ended")
	}
	ts.done = nil
}

// client trusts only the server's CA and opens a new connection per request, so each request
// sees the certificate served at that moment.
func (ts *tlsServer) client() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: ts.ca.Pool(), MinVersion: tls.VersionTLS12},
		DisableKeepAlives: true,
		ForceAttemptHTTP2: true,
	}}
}

// servedSerial returns the serial of the certificate a new TLS connection sees.
func (ts *tlsServer) servedSerial(t *testing.T) string {
	t.Helper()
	resp, err := ts.client().Get(ts.url + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return resp.TLS.PeerCertificates[0].SerialNumber.String()
}

func TestServerOverTLS(t *testing.T) {
	ts := startTLS(t)
	resp, err := ts.client().Post(ts.url+"/mutate", "application/json",
		bytes.NewReader(reviewBody(request(admissionv1.Create, pod(corev1.PullNever), nil))))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var review admissionv1.AdmissionReview
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&review))
	var ops []op
	require.NoError(t, json.Unmarshal(review.Response.Patch, &ops))
	assert.Equal(t, allFour, ops)
	assert.Equal(t, "HTTP/2.0", resp.Proto, "HTTP/2 over TLS, as the API server's client prefers")

	ready, err := ts.client().Get(ts.url + "/readyz")
	require.NoError(t, err)
	ready.Body.Close()
	assert.Equal(t, http.StatusOK, ready.StatusCode)
}

func TestServerReloadsRotatedCertificate(t *testing.T) {
	ts := startTLS(t)
	before := ts.servedSerial(t)
	next, err := ts.ca.Issue("127.0.0.1")
	require.NoError(t, err)
	_, _, err = next.WriteFiles(ts.dir)
	require.NoError(t, err)
	assert.NotEqual(t, before, next.Serial.String())
	assert.Equal(t, next.Serial.String(), ts.servedSerial(t))
}

func TestServerShutdown(t *testing.T) {
	ts := startTLS(t)
	_ = ts.servedSerial(t)
	ts.stop(t)
	rec := httptest.NewRecorder()
	ts.server.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "unready once shutdown began")
	_, err := ts.client().Get(ts.url + "/healthz")
	assert.Error(t, err, "no longer listening")
	assert.Contains(t, ts.handlerW.String(), `"msg":"webhook stopped"`)
}

func TestRunErrors(t *testing.T) {
	_, certFile, keyFile, err := tlstest.ServingFiles(t.TempDir(), "webhook-test", "127.0.0.1")
	require.NoError(t, err)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	quiet := slog.New(slog.DiscardHandler)
	tests := []struct {
		name string
		cfg  webhook.Config
		want string
	}{
		{"no certificate", webhook.Config{Logger: quiet}, "webhook: --tls-cert-file and --tls-private-key-file are both required"},
		{"address in use", webhook.Config{Addr: busy.Addr().String(), TLSCertFile: certFile, TLSKeyFile: keyFile, Logger: quiet}, "address already in use"},
		{"bad selector", webhook.Config{ExcludeSelector: "=", TLSCertFile: certFile, TLSKeyFile: keyFile, Logger: quiet}, "webhook: --exclude-selector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.Run(t.Context(), tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	ca, certFile, keyFile, err := tlstest.ServingFiles(t.TempDir(), "webhook-test", "127.0.0.1")
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- webhook.Run(ctx, webhook.Config{Addr: addr, TLSCertFile: certFile, TLSKeyFile: keyFile, Logger: slog.New(slog.DiscardHandler)})
	}()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}}}
	require.Eventually(t, func() bool {
		resp, err := client.Get("https://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
