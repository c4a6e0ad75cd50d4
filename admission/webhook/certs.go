package webhook

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certReloader serves a certificate and key pair from files and loads them again when either
// file changes (another inode, size or modification time: a rename, a kubelet secret-volume
// symlink swap or a rewrite). The check runs on a TLS handshake at most once per interval; a
// pair that fails to load (a half-written rotation) is logged and the previous pair kept.
type certReloader struct {
	certFile, keyFile string
	interval          time.Duration
	now               func() time.Time
	log               *slog.Logger

	mu       sync.Mutex // protects the fields below
	cert     *tls.Certificate
	stamps   [2]os.FileInfo // of certFile and keyFile when cert was loaded
	checked  time.Time      // last check of the files
	failures int            // consecutive failed reloads, for the log
}

// newCertReloader loads the pair once; it fails when the files do not hold a valid pair.
func newCertReloader(certFile, keyFile string, interval time.Duration, log *slog.Logger) (*certReloader, error) {
	if certFile == "" || keyFile == "" {
		return nil, fmt.Errorf("webhook: --tls-cert-file and --tls-private-key-file are both required")
	}
	r := &certReloader{certFile: certFile, keyFile: keyFile, interval: interval, now: time.Now, log: log}
	cert, stamps, err := r.load()
	if err != nil {
		return nil, err
	}
	r.cert, r.stamps, r.checked = cert, stamps, r.now()
	return r, nil
}

// load reads the pair and the files' stamps (taken first, so a change during the read shows at
// the next check).
func (r *certReloader) load() (*tls.Certificate, [2]os.FileInfo, error) {
	var stamps [2]os.FileInfo
	for i, name := range []string{r.certFile, r.keyFile} {
		fi, err := os.Stat(name)
		if err != nil {
			return nil, stamps, fmt.Errorf("webhook: TLS file: %w", err)
		}
		stamps[i] = fi
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return nil, stamps, fmt.Errorf("webhook: loading %s and %s: %w", r.certFile, r.keyFile, err)
	}
	return &cert, stamps, nil
}

// GetCertificate is the tls.Config hook: the current pair, reloaded first if the files changed.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.now(); now.Sub(r.checked) >= r.interval {
		r.checked = now
		r.reloadLocked()
	}
	return r.cert, nil
}

// reloadLocked loads the pair again when a file changed since the last load.
func (r *certReloader) reloadLocked() {
	if !r.changedLocked() {
		return
	}
	cert, stamps, err := r.load()
	if err != nil {
		r.failures++
		r.log.Error("TLS certificate reload failed; serving the previous one", "error", err, "attempt", r.failures)
		return
	}
	r.cert, r.stamps, r.failures = cert, stamps, 0
	r.log.Info("TLS certificate reloaded", "cert_file", r.certFile, "not_after", cert.Leaf.NotAfter)
}

// changedLocked reports whether either file differs from its stamp.
func (r *certReloader) changedLocked() bool {
	for i, name := range []string{r.certFile, r.keyFile} {
		fi, err := os.Stat(name)
		if err != nil {
			return true // let load report it
		}
		old := r.stamps[i]
		if !os.SameFile(fi, old) || fi.Size() != old.Size() || !fi.ModTime().Equal(old.ModTime()) {
			return true
		}
	}
	return false
}
