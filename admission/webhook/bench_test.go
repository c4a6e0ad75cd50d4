package webhook_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/admission/webhook"
	"github.com/imagepull/imagepull/internal/tlstest"
)

// BenchmarkHandlerMutate is the handler's own cost for a typical review: a pod with an init
// container, a container, an ephemeral container and an image volume, all Never, answered
// with a four-operation patch (decode, Admit, patch, encode, log line to a discarding logger).
func BenchmarkHandlerMutate(b *testing.B) {
	h, err := webhook.NewHandler(webhook.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	body := reviewBody(request(admissionv1.Create, pod(corev1.PullNever), nil))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/mutate", bytes.NewReader(body)))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
}

// BenchmarkServerMutateLoopback is the webhook as the API server meets it: a Server on
// 127.0.0.1 with TLS, reviews sent over HTTP/2 by 8×GOMAXPROCS concurrent clients sharing one
// connection pool. It reports reviews per second and the 50th and 99th percentile latency of a
// review, client side (client and server share the machine's cores).
func BenchmarkServerMutateLoopback(b *testing.B) {
	ca, certFile, keyFile, err := tlstest.ServingFiles(b.TempDir(), "bench", "127.0.0.1")
	require.NoError(b, err)
	s, err := webhook.NewServer(webhook.Config{TLSCertFile: certFile, TLSKeyFile: keyFile, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() {
		cancel()
		require.NoError(b, <-done)
	}()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true,
	}}
	defer client.CloseIdleConnections()
	url := "https://" + ln.Addr().String() + "/mutate"
	body := reviewBody(request(admissionv1.Create, pod(corev1.PullNever), nil))

	var mu sync.Mutex
	var latencies []time.Duration
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "reviews/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
}
