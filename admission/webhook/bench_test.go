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
	"runtime"
	"runtime/metrics"
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

// BenchmarkValidate100kFields is issue 18's quadratic case: a /validate review of a pod with
// 100,000 containers, all Never (7 MB of JSON), answered through the handler (decode, validate,
// answer, log line). It took minutes before the message was bounded; the target is < 100 ms.
func BenchmarkValidate100kFields(b *testing.B) {
	h, err := webhook.NewHandler(webhook.Config{MaxRequestBytes: 32 << 20, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	body := reviewBody(request(admissionv1.Create, crowded("web", 100_000, corev1.PullNever), nil))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader(body)))
		if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`99968 more fields`)) {
			b.Fatal(rec.Code, rec.Body.Len())
		}
	}
}

// BenchmarkMutate100kFields is BenchmarkValidate100kFields for /mutate: the answer is a
// JSONPatch of 100,000 operations (4.9 MB, base64 in the review).
func BenchmarkMutate100kFields(b *testing.B) {
	h, err := webhook.NewHandler(webhook.Config{MaxRequestBytes: 32 << 20, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	body := reviewBody(request(admissionv1.Create, crowded("web", 100_000, corev1.PullNever), nil))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/mutate", bytes.NewReader(body)))
		if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"patchType":"JSONPatch"`)) {
			b.Fatal(rec.Code, rec.Body.Len())
		}
	}
}

// BenchmarkConcurrentLargeReviews sends 16 reviews of 7 MiB (a pod with as many Never
// containers as fit, the largest body accepted by default) at once, to /validate and to /mutate,
// and reports the peak of the live heap (runtime/metrics, sampled every 100 µs) and how many of
// the 16 were answered 429. "default budget" is the shipped --max-inflight-bytes; "no budget"
// lets all 16 in, to show what one review costs.
func BenchmarkConcurrentLargeReviews(b *testing.B) {
	const concurrent = 16
	body := largestReview(b)
	for _, path := range []string{"/validate", "/mutate"} {
		for _, bc := range []struct {
			name   string
			budget int64
		}{{"default budget", 0}, {"no budget", 1 << 40}} {
			b.Run(path[1:]+"/"+bc.name, func(b *testing.B) {
				h, err := webhook.NewHandler(webhook.Config{MaxInflightBytes: bc.budget, Logger: slog.New(slog.DiscardHandler)})
				require.NoError(b, err)
				var peak uint64
				var refused int
				for b.Loop() {
					runtime.GC()
					stop := sampleHeap(&peak)
					codes := make([]int, concurrent)
					var wg sync.WaitGroup
					for i := range concurrent {
						wg.Go(func() {
							rec := httptest.NewRecorder()
							h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
							codes[i] = rec.Code
						})
					}
					wg.Wait()
					stop()
					for _, c := range codes {
						switch c {
						case http.StatusOK:
						case http.StatusTooManyRequests:
							refused++
						default:
							b.Fatalf("status %d", c)
						}
					}
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(refused)/float64(b.N), "refused/16")
			})
		}
	}
}

// largestReview is a CREATE review of a pod with as many Never containers as fit in
// webhook.DefaultMaxRequestBytes.
func largestReview(b *testing.B) []byte {
	per := len(reviewBody(request(admissionv1.Create, crowded("web", 2000, corev1.PullNever), nil))) / 2000
	n := webhook.DefaultMaxRequestBytes / per
	for {
		body := reviewBody(request(admissionv1.Create, crowded("web", n, corev1.PullNever), nil))
		if len(body) <= webhook.DefaultMaxRequestBytes {
			b.Logf("review of %d bytes, %d containers", len(body), n)
			return body
		}
		n -= n / 100
	}
}

// sampleHeap records the largest live heap (heap objects, bytes) seen into *peak until the
// returned function is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			*peak = max(*peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
