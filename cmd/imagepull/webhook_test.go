package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/internal/tlstest"
)

// TestWebhook runs `imagepull webhook` on loopback with a certificate made for the test: it
// serves TLS, mutates a pod that sets Never to Always over /mutate, logs one line per review
// in the chosen format, and stops cleanly (exit code 0) on SIGTERM. The runtime honours
// GOMEMLIMIT given in bytes, as the shipped Deployment sets it from the container's limit.
func TestWebhook(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			ca, certFile, keyFile, err := tlstest.ServingFiles(dir, "imagepull-test", "127.0.0.1")
			require.NoError(t, err)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := ln.Addr().String()
			require.NoError(t, ln.Close())

			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			var stderr bytes.Buffer
			cmd := exec.CommandContext(ctx, binary, "webhook", "--addr="+addr, "--tls-cert-file", certFile,
				"--tls-private-key-file", keyFile, "-o", format)
			cmd.Stderr = &stderr
			// As the shipped Deployment sets it: the container's memory limit in bytes.
			cmd.Env = append(os.Environ(), "GOMEMLIMIT=268435456")
			require.NoError(t, cmd.Start())

			client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}}}
			require.Eventually(t, func() bool {
				resp, err := client.Get("https://" + addr + "/readyz")
				if err != nil {
					return false
				}
				resp.Body.Close()
				return resp.StatusCode == http.StatusOK
			}, 20*time.Second, 50*time.Millisecond)

			review := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","kind":{"group":"","version":"v1","kind":"Pod"},` +
				`"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"shop","operation":"CREATE",` +
				`"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},"spec":{"containers":[{"name":"web","image":"nginx:1.25","imagePullPolicy":"Never"}]}}}}`
			resp, err := client.Post("https://"+addr+"/mutate", "application/json", strings.NewReader(review))
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			var answer struct {
				Response struct {
					Allowed   bool
					PatchType string
					Patch     []byte
				}
			}
			require.NoError(t, json.Unmarshal(body, &answer))
			assert.True(t, answer.Response.Allowed)
			assert.Equal(t, "JSONPatch", answer.Response.PatchType)
			assert.Contains(t, string(answer.Response.Patch), `"value":"Always"`)

			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			require.NoError(t, cmd.Wait(), "exit status after SIGTERM; stderr:\n%s", stderr.String())
			logs := stderr.String()
			if format == "json" {
				assert.Contains(t, logs, `"msg":"webhook serving"`)
				assert.Contains(t, logs, `"memory_limit":268435456`, "the runtime took GOMEMLIMIT")
				assert.Contains(t, logs, `"max_inflight_bytes":14680064`)
				assert.Contains(t, logs, `"msg":"webhook stopped"`)
			} else {
				assert.Contains(t, logs, `msg="webhook serving"`)
				assert.Contains(t, logs, `msg="webhook stopped"`)
			}
		})
	}
}
