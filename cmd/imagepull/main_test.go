package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/internal/tlstest"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no command", nil, 2, "usage: imagepull <command>"},
		{"help", []string{"help"}, 0, "webhook   serve the AlwaysPullImages"},
		{"unknown", []string{"pull"}, 2, `imagepull: unknown command "pull"`},
		{"webhook help", []string{"webhook", "-h"}, 0, "-tls-private-key-file"},
		{"webhook bad flag", []string{"webhook", "--nope"}, 2, "flag provided but not defined: -nope"},
		{"webhook stray argument", []string{"webhook", "extra"}, 2, `imagepull webhook: unexpected arguments ["extra"]`},
		{"webhook without certificate", []string{"webhook", "--addr=127.0.0.1:0"}, 1,
			"imagepull webhook: webhook: --tls-cert-file and --tls-private-key-file are both required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			assert.Equal(t, tt.wantCode, run(t.Context(), tt.args, &stderr))
			assert.Contains(t, stderr.String(), tt.wantErr)
		})
	}
}

// TestWebhookBinary builds the command, runs `imagepull webhook` on loopback, checks it serves
// TLS and stops cleanly on SIGTERM.
func TestWebhookBinary(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "imagepull")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	ca, certFile, keyFile, err := tlstest.ServingFiles(dir, "imagepull-test", "127.0.0.1")
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "webhook", "--addr="+addr, "--tls-cert-file="+certFile, "--tls-private-key-file="+keyFile)
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())

	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}}}
	assert.Eventually(t, func() bool {
		resp, err := client.Get("https://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "exit status after SIGTERM; stderr:\n%s", stderr.String())
	assert.Contains(t, stderr.String(), `"msg":"webhook serving"`)
	assert.Contains(t, stderr.String(), `"msg":"webhook stopped"`)
}
