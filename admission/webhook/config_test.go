package webhook_test

import (
	"flag"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/admission/webhook"
)

func TestRegisterFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want webhook.Config
	}{
		{"defaults", nil, webhook.Config{
			Addr: ":8443", ExcludeNamespaces: []string{"kube-system"}, CertReloadInterval: 10 * time.Second,
			MaxRequestBytes: 7 << 20, MaxInflightBytes: 14 << 20, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
			IdleTimeout: 90 * time.Second, ShutdownTimeout: 15 * time.Second,
		}},
		{"everything", []string{
			"--addr=127.0.0.1:9443", "--tls-cert-file=/tls/tls.crt", "--tls-private-key-file=/tls/tls.key",
			"--tls-reload-interval=1m", "--exclude-namespaces=kube-system, ci ,", "--exclude-selector=imagepull.io/exempt=true",
			"--dry-run", "--max-request-bytes=1048576", "--max-inflight-bytes=8388608", "--read-timeout=2s", "--write-timeout=3s", "--idle-timeout=4s",
			"--shutdown-timeout=5s",
		}, webhook.Config{
			Addr: "127.0.0.1:9443", TLSCertFile: "/tls/tls.crt", TLSKeyFile: "/tls/tls.key", CertReloadInterval: time.Minute,
			ExcludeNamespaces: []string{"kube-system", "ci"}, ExcludeSelector: "imagepull.io/exempt=true", DryRun: true,
			MaxRequestBytes: 1 << 20, MaxInflightBytes: 8 << 20, ReadTimeout: 2 * time.Second, WriteTimeout: 3 * time.Second, IdleTimeout: 4 * time.Second,
			ShutdownTimeout: 5 * time.Second,
		}},
		{"no excluded namespace", []string{"--exclude-namespaces="}, webhook.Config{
			Addr: ":8443", ExcludeNamespaces: []string{}, CertReloadInterval: 10 * time.Second,
			MaxRequestBytes: 7 << 20, MaxInflightBytes: 14 << 20, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
			IdleTimeout: 90 * time.Second, ShutdownTimeout: 15 * time.Second,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg webhook.Config
			fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			cfg.RegisterFlags(fs)
			require.NoError(t, fs.Parse(tt.args))
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestRegisterFlagsKeepsSetFields(t *testing.T) {
	cfg := webhook.Config{Addr: "127.0.0.1:1", ExcludeNamespaces: []string{"a", "b"}, DryRun: true}
	fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	assert.Equal(t, "127.0.0.1:1", fs.Lookup("addr").DefValue)
	assert.Equal(t, "a,b", fs.Lookup("exclude-namespaces").DefValue)
	assert.Equal(t, "true", fs.Lookup("dry-run").DefValue)
	require.NoError(t, fs.Parse(nil))
	assert.Equal(t, []string{"a", "b"}, cfg.ExcludeNamespaces)
}

func TestDefaultExcludeNamespacesIsAFreshSlice(t *testing.T) {
	a := webhook.DefaultExcludeNamespaces()
	a[0] = "changed"
	assert.Equal(t, []string{"kube-system"}, webhook.DefaultExcludeNamespaces())
}
