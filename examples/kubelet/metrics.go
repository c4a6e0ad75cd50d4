package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kubelet/metrics"
)

// metricsServer serves the image manager's metrics on a loopback address, with the pull
// records kept as the kubelet keeps them: files in a (temporary) directory behind an LRU cache.
type metricsServer struct {
	dir string // the records' directory, removed by close
	srv *http.Server
	ln  net.Listener
}

// startMetrics listens on addr, which must be a loopback address ("127.0.0.1:9101",
// "[::1]:9101", "localhost:9101"), and serves /metrics there; it sets opts' records and
// metrics for the image manager.
func startMetrics(addr string, opts *options) (*metricsServer, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("-metrics-addr %q: %w", addr, err)
	}
	if ip, err := netip.ParseAddr(host); host != "localhost" && (err != nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("-metrics-addr %q: not a loopback address; the metrics are served on this machine only", addr)
	}
	dir, err := os.MkdirTemp("", "image_manager-")
	if err != nil {
		return nil, err
	}
	files, err := cache.NewFileRecords(dir)
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	records := cache.NewCachedRecords(files, nil)
	rec := metrics.New(&metrics.Options{OnDisk: files, InMemory: records})
	reg := prometheus.NewRegistry()
	reg.MustRegister(rec)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s := &metricsServer{dir: dir, ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	opts.records, opts.metrics = records, rec
	return s, nil
}

// url is where the metrics are served.
func (s *metricsServer) url() string { return "http://" + s.ln.Addr().String() + "/metrics" }

// close stops serving and removes the records.
func (s *metricsServer) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(s.srv.Shutdown(ctx), os.RemoveAll(s.dir))
}
