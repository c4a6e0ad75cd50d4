package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
)

// Server serves a [Handler] over TLS with reloading certificates.
type Server struct {
	cfg     Config
	handler *Handler
	certs   *certReloader
	log     *slog.Logger
}

// NewServer checks cfg and loads its certificate and key; it does not listen yet.
func NewServer(cfg Config) (*Server, error) {
	cfg.applyDefaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	h, err := NewHandler(cfg)
	if err != nil {
		return nil, err
	}
	certs, err := newCertReloader(cfg.TLSCertFile, cfg.TLSKeyFile, cfg.CertReloadInterval, cfg.Logger)
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, handler: h, certs: certs, log: cfg.Logger}, nil
}

// Handler returns the server's handler.
func (s *Server) Handler() *Handler { return s.handler }

// Serve serves HTTPS on ln until ctx ends, then marks itself unready, stops accepting, waits up
// to the shutdown timeout for reviews in flight and returns nil; it closes ln. It returns the
// error that stopped it otherwise.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: s.certs.GetCertificate},
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	// memory_limit is the runtime's soft limit: GOMEMLIMIT when set (the shipped Deployment sets
	// it from the container's memory limit), else math.MaxInt64.
	s.log.Info("webhook serving", "addr", ln.Addr().String(), "dry_run", s.cfg.DryRun,
		"exclude_namespaces", s.cfg.ExcludeNamespaces, "exclude_selector", s.cfg.ExcludeSelector,
		"max_request_bytes", s.cfg.MaxRequestBytes, "max_inflight_bytes", s.cfg.MaxInflightBytes,
		"memory_limit", debug.SetMemoryLimit(-1))
	select {
	case err := <-errc:
		return fmt.Errorf("webhook: serving: %w", err)
	case <-ctx.Done():
	}
	s.handler.shuttingDown.Store(true)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if err != nil {
		return fmt.Errorf("webhook: shutting down: %w", err)
	}
	s.log.Info("webhook stopped")
	return nil
}

// Run serves cfg until ctx ends: [NewServer], listen on cfg.Addr, [Server.Serve].
func Run(ctx context.Context, cfg Config) error {
	s, err := NewServer(cfg)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return s.Serve(ctx, ln)
}
