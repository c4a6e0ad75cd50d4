package tlstest_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/internal/tlstest"
)

func TestIssue(t *testing.T) {
	ca, err := tlstest.NewCA("test-ca")
	require.NoError(t, err)
	tests := []struct {
		name  string
		hosts []string
		// verify is the name a client checks, and whether it must pass.
		verify string
		ok     bool
	}{
		{"dns name", []string{"webhook.imagepull.svc"}, "webhook.imagepull.svc", true},
		{"ip address", []string{"127.0.0.1"}, "127.0.0.1", true},
		{"both", []string{"localhost", "127.0.0.1"}, "localhost", true},
		{"another name", []string{"webhook.imagepull.svc"}, "evil.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pair, err := ca.Issue(tt.hosts...)
			require.NoError(t, err)
			_, err = pair.TLSCertificate()
			require.NoError(t, err)
			block, _ := pem.Decode(pair.CertPEM)
			require.NotNil(t, block)
			cert, err := x509.ParseCertificate(block.Bytes)
			require.NoError(t, err)
			_, err = cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: tt.verify})
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
			assert.Equal(t, pair.Serial, cert.SerialNumber)
		})
	}
}

func TestWriteFiles(t *testing.T) {
	ca, err := tlstest.NewCA("test-ca")
	require.NoError(t, err)
	pair, err := ca.Issue("localhost")
	require.NoError(t, err)
	certFile, keyFile, err := pair.WriteFiles(t.TempDir())
	require.NoError(t, err)
	_, err = tls.LoadX509KeyPair(certFile, keyFile)
	require.NoError(t, err)
	got, err := os.ReadFile(certFile)
	require.NoError(t, err)
	assert.Equal(t, pair.CertPEM, got)
}

func TestServingFiles(t *testing.T) {
	dir := t.TempDir()
	ca, certFile, keyFile, err := tlstest.ServingFiles(dir, "files-ca", "127.0.0.1")
	require.NoError(t, err)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	require.NoError(t, err)
	_, err = cert.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool()})
	require.NoError(t, err)
	assert.Equal(t, "files-ca", cert.Leaf.Issuer.CommonName)

	_, _, _, err = tlstest.ServingFiles("/nonexistent/dir", "x", "localhost")
	assert.Error(t, err)
}
