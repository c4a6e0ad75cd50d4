package registrytest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"testing"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/imagepull/imagepull/internal/tlstest"
)

// ErrClosed is returned by [Registry.Restart] after [Registry.Close].
var ErrClosed = errors.New("registrytest: registry is closed")

// Options configures a [Registry]. The zero value is ready to use: no authentication, no faults.
type Options struct {
	// Auth is the initial authentication setting; change it later with [Registry.SetAuth].
	Auth Auth
	// TLS, when set, serves both listeners over HTTPS (see [TLS]) instead of plain HTTP.
	TLS *TLS
}

// TLS makes a [Registry] serve HTTPS with a certificate issued by a new self-signed CA, a
// private registry's setup: clients that do not trust [Registry.CAPEM] fail with "certificate
// signed by unknown authority". A plain HTTP request to it is answered by Go's HTTPS server
// with 400 "Client sent an HTTP request to an HTTPS server.".
type TLS struct {
	// Names are the DNS names and IP addresses the serving certificate is valid for; empty
	// means "127.0.0.1" and "localhost". Names without 127.0.0.1 (such as
	// "registry.example") make a certificate that is wrong for the address clients use, for
	// "certificate is valid for registry.example, not 127.0.0.1".
	Names []string
}

// Registry is an OCI distribution registry served in-process on two loopback listeners: the
// registry host ([Registry.Host]) with authentication, fault injection and request recording,
// and a second "other host" ([Registry.OtherHost]) that serves the same content without
// authentication or faults and is the target of redirects and, optionally, of the token
// endpoint. Content lives in memory and survives [Registry.Stop] and [Registry.Restart].
//
// The zero Registry is not usable; call [Start] or [New]. All methods are safe for concurrent
// use.
type Registry struct {
	content http.Handler // ggcr's in-memory registry; holds all manifests and blobs
	tls     *tls.Config  // serving config with the certificate; nil for plain HTTP
	caPEM   []byte       // the CA of tls, PEM-encoded; nil for plain HTTP
	host    string       // "127.0.0.1:PORT" of the registry listener, fixed for the lifetime
	other   string       // "127.0.0.1:PORT" of the other-host listener, fixed for the lifetime

	life sync.Mutex // serializes Stop, Restart and Close; held while Stop waits

	mu       sync.Mutex // protects the fields below
	gen      *generation
	closed   bool
	auth     Auth
	tokens   map[string]grant // issued bearer tokens
	faults   []*faultState
	requests []Request
}

// generation is one Start or Restart: two servers and the handlers they run. Handlers register
// in wg under Registry.mu while stopped is false, so Stop can wait for all of them.
type generation struct {
	servers []*http.Server
	served  sync.WaitGroup  // Serve goroutines
	wg      sync.WaitGroup  // running handlers
	ctx     context.Context // cancelled by Stop; handlers' request contexts derive from it
	cancel  context.CancelFunc
	stopped bool // protected by Registry.mu
}

// Start starts a registry on two fresh 127.0.0.1 ports and returns it serving. The caller must
// call [Registry.Close] to stop its goroutines. Use it from main programs; tests use [New].
func Start(opts Options) (*Registry, error) {
	r := &Registry{
		content: ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))),
		auth:    opts.Auth,
		tokens:  make(map[string]grant),
	}
	if opts.TLS != nil {
		if err := r.setupTLS(*opts.TLS); err != nil {
			return nil, err
		}
	}
	lns, err := listen("127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r.host, r.other = lns[0].Addr().String(), lns[1].Addr().String()
	r.serve(lns)
	return r, nil
}

// New starts a registry like [Start] and registers [Registry.Close] with tb.Cleanup. It fails
// the test if the registry cannot start.
func New(tb testing.TB, opts Options) *Registry {
	tb.Helper()
	r, err := Start(opts)
	if err != nil {
		tb.Fatalf("registrytest: %v", err)
	}
	tb.Cleanup(r.Close)
	return r
}

// Host returns the registry's host:port, "127.0.0.1:PORT". It stays the same across
// [Registry.Stop] and [Registry.Restart].
func (r *Registry) Host() string { return r.host }

// URL returns the registry's base URL, "http://127.0.0.1:PORT", or "https://…" with
// [Options.TLS].
func (r *Registry) URL() string { return r.scheme() + "://" + r.host }

func (r *Registry) scheme() string {
	if r.tls != nil {
		return "https"
	}
	return "http"
}

// CAPEM returns the PEM-encoded certificate of the CA that issued the registry's serving
// certificate with [Options.TLS], what a client must trust; nil for a plain HTTP registry.
func (r *Registry) CAPEM() []byte { return bytes.Clone(r.caPEM) }

// CertPool returns a pool trusting only [Registry.CAPEM]; nil for a plain HTTP registry.
func (r *Registry) CertPool() *x509.CertPool {
	if r.caPEM == nil {
		return nil
	}
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(r.caPEM)
	return p
}

// setupTLS makes a CA and the serving certificate for t.Names.
func (r *Registry) setupTLS(t TLS) error {
	names := t.Names
	if len(names) == 0 {
		names = []string{"127.0.0.1", "localhost"}
	}
	ca, err := tlstest.NewCA("registrytest CA")
	if err != nil {
		return fmt.Errorf("registrytest: %w", err)
	}
	pair, err := ca.Issue(names...)
	if err != nil {
		return fmt.Errorf("registrytest: %w", err)
	}
	cert, err := pair.TLSCertificate()
	if err != nil {
		return fmt.Errorf("registrytest: %w", err)
	}
	r.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	r.caPEM = ca.PEM
	return nil
}

// OtherHost returns the host:port of the second listener, "another host" for redirects and the
// token endpoint. It serves the same content as [Registry.Host] without authentication or
// faults.
func (r *Registry) OtherHost() string { return r.other }

// OtherURL returns the base URL of [Registry.OtherHost], "http://127.0.0.1:PORT" (https with
// [Options.TLS]).
func (r *Registry) OtherURL() string { return r.scheme() + "://" + r.other }

// Ref returns the reference "127.0.0.1:PORT/repo:tag" on this registry. An empty tag gives
// "127.0.0.1:PORT/repo".
func (r *Registry) Ref(repo, tag string) string {
	if tag == "" {
		return r.host + "/" + repo
	}
	return r.host + "/" + repo + ":" + tag
}

// Stop closes both listeners and all open connections, so new requests fail with "connection
// refused", and waits for running handlers to return (injected delays and trickled bodies
// are cut short). Content,
// recorded requests, faults and auth settings are kept. Stopping a stopped registry does
// nothing.
func (r *Registry) Stop() {
	r.life.Lock()
	defer r.life.Unlock()
	r.stop()
}

func (r *Registry) stop() {
	r.mu.Lock()
	g := r.gen
	if g == nil || g.stopped {
		r.mu.Unlock()
		return
	}
	g.stopped = true
	g.cancel()
	r.mu.Unlock()

	for _, s := range g.servers {
		_ = s.Close() // always nil for a server we started: listener close errors are ignored
	}
	g.served.Wait()
	g.wg.Wait()
}

// Restart listens again on the same two addresses after [Registry.Stop], with all content
// kept. Restarting a running registry does nothing. It returns [ErrClosed] after
// [Registry.Close], and an error if an address is no longer free.
func (r *Registry) Restart() error {
	r.life.Lock()
	defer r.life.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return ErrClosed
	case r.gen == nil:
		return errors.New("registrytest: Restart of a registry that was never started")
	case !r.gen.stopped:
		return nil
	}
	lns, err := listen(r.host, r.other)
	if err != nil {
		return err
	}
	r.serveLocked(lns)
	return nil
}

// Close stops the registry for good, like [Registry.Stop], and releases its goroutines.
// Closing twice does nothing.
func (r *Registry) Close() {
	r.life.Lock()
	defer r.life.Unlock()
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.stop()
}

func (r *Registry) serve(lns []net.Listener) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.serveLocked(lns)
}

// serveLocked starts one server per listener; lns[0] is the registry host, lns[1] the other.
func (r *Registry) serveLocked(lns []net.Listener) {
	g := &generation{}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	handlers := []http.Handler{
		http.HandlerFunc(r.serveRegistry),
		http.HandlerFunc(r.serveOther),
	}
	for i, ln := range lns {
		s := &http.Server{
			Handler:  r.track(g, handlers[i]),
			ErrorLog: log.New(io.Discard, "", 0),
		}
		g.servers = append(g.servers, s)
		if r.tls != nil {
			ln = tls.NewListener(ln, r.tls)
		}
		g.served.Go(func() { _ = s.Serve(ln) }) // returns ErrServerClosed after Stop
	}
	r.gen = g
}

// track runs h as one of g's handlers, or drops the connection if g is stopping.
func (r *Registry) track(g *generation, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		if g.stopped {
			r.mu.Unlock()
			dropConnection(w)
			return
		}
		g.wg.Add(1)
		r.mu.Unlock()
		defer g.wg.Done()
		ctx, cancel := context.WithCancel(req.Context())
		defer cancel()
		defer context.AfterFunc(g.ctx, cancel)()
		h.ServeHTTP(w, req.WithContext(ctx))
	})
}

// listen opens a TCP listener on each address, closing all of them if one fails.
func listen(addrs ...string) ([]net.Listener, error) {
	var lns []net.Listener
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			for _, l := range lns {
				_ = l.Close()
			}
			return nil, fmt.Errorf("registrytest: listen on %s: %w", a, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}
