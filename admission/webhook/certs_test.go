package webhook

import (
	"bytes"
	"crypto/x509"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/internal/tlstest"
)

// fakeClock is a settable time source.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// served returns the serial number of the certificate r serves now.
func served(t *testing.T, r *certReloader) string {
	t.Helper()
	c, err := r.GetCertificate(nil)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	require.NoError(t, err)
	return leaf.SerialNumber.String()
}

func TestCertReloader(t *testing.T) {
	ca, err := tlstest.NewCA("test")
	require.NoError(t, err)
	first, err := ca.Issue("localhost")
	require.NoError(t, err)
	second, err := ca.Issue("localhost")
	require.NoError(t, err)
	third, err := ca.Issue("localhost")
	require.NoError(t, err)

	dir := t.TempDir()
	certFile, keyFile, err := first.WriteFiles(dir)
	require.NoError(t, err)
	var logs bytes.Buffer
	r, err := newCertReloader(certFile, keyFile, time.Minute, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	clock := &fakeClock{t: time.Now()}
	r.now, r.checked = clock.now, clock.t

	assert.Equal(t, first.Serial.String(), served(t, r))

	_, _, err = second.WriteFiles(dir)
	require.NoError(t, err)
	assert.Equal(t, first.Serial.String(), served(t, r), "not checked again within the interval")
	clock.t = clock.t.Add(time.Minute)
	assert.Equal(t, second.Serial.String(), served(t, r), "rotated files are served after the interval")
	assert.Contains(t, logs.String(), "TLS certificate reloaded")

	// A rotation caught half-way (new certificate, old key) keeps the pair that works, and the
	// next check after the key lands loads the new pair.
	require.NoError(t, os.WriteFile(certFile, third.CertPEM, 0o600))
	clock.t = clock.t.Add(time.Minute)
	assert.Equal(t, second.Serial.String(), served(t, r))
	assert.Contains(t, logs.String(), "TLS certificate reload failed")
	require.NoError(t, os.WriteFile(keyFile, third.KeyPEM, 0o600))
	clock.t = clock.t.Add(time.Minute)
	assert.Equal(t, third.Serial.String(), served(t, r))

	// Files gone: keep serving.
	require.NoError(t, os.Remove(certFile))
	clock.t = clock.t.Add(time.Minute)
	assert.Equal(t, third.Serial.String(), served(t, r))
}

// TestCertReloaderSymlinkSwap follows the kubelet's secret volume: tls.crt and tls.key are
// symlinks through ..data, which is swapped to a new directory on rotation.
func TestCertReloaderSymlinkSwap(t *testing.T) {
	ca, err := tlstest.NewCA("test")
	require.NoError(t, err)
	dir := t.TempDir()
	var serials []string
	for i, name := range []string{"..2026_01_01_00_00_00.1", "..2026_01_01_00_00_00.2"} {
		pair, err := ca.Issue("localhost")
		require.NoError(t, err)
		require.NoError(t, os.Mkdir(filepath.Join(dir, name), 0o700))
		_, _, err = pair.WriteFiles(filepath.Join(dir, name))
		require.NoError(t, err)
		serials = append(serials, pair.Serial.String())
		if i == 0 {
			require.NoError(t, os.Symlink(name, filepath.Join(dir, "..data")))
			require.NoError(t, os.Symlink("..data/tls.crt", filepath.Join(dir, "tls.crt")))
			require.NoError(t, os.Symlink("..data/tls.key", filepath.Join(dir, "tls.key")))
		}
	}
	r, err := newCertReloader(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), 0, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	assert.Equal(t, serials[0], served(t, r))
	require.NoError(t, os.Symlink("..2026_01_01_00_00_00.2", filepath.Join(dir, "..data_tmp")))
	require.NoError(t, os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	assert.Equal(t, serials[1], served(t, r))
}

func TestNewCertReloaderErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage")
	require.NoError(t, os.WriteFile(garbage, []byte("not PEM"), 0o600))
	tests := []struct {
		name, cert, key, want string
	}{
		{"no files", "", "", "webhook: --tls-cert-file and --tls-private-key-file are both required"},
		{"no key", garbage, "", "webhook: --tls-cert-file and --tls-private-key-file are both required"},
		{"missing", filepath.Join(dir, "nope"), garbage, "webhook: TLS file: stat " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"not PEM", garbage, garbage, "webhook: loading " + garbage + " and " + garbage + ": tls: failed to find any PEM data in certificate input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newCertReloader(tt.cert, tt.key, time.Second, slog.New(slog.DiscardHandler))
			assert.EqualError(t, err, tt.want)
		})
	}
}
