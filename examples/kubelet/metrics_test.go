package main

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMetricsAddr plays the scenario with -metrics-addr and scrapes /metrics: the kubelet's
// counters and the records on disk are there; closing removes the records' directory.
func TestMetricsAddr(t *testing.T) {
	opts := options{arch: fakeNodeArch}
	srv, err := startMetrics("127.0.0.1:0", &opts)
	require.NoError(t, err)
	require.NoError(t, run(t.Context(), io.Discard, opts))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.url(), nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, errors.Join(err, resp.Body.Close()))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for _, line := range []string{
		`kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="ifnotpresent",pull_required="true"} 5`,
		`kubelet_image_pull_duration_seconds_count{image_size_in_bytes="0-10MB"} 2`,
		`kubelet_imagemanager_image_mustpull_checks_total{result="mustAuthenticate"} 6`,
		`kubelet_imagemanager_ondisk_pulledrecords 2`,
		`imagepull_image_pull_back_offs_total 2`,
	} {
		assert.Contains(t, strings.Split(string(body), "\n"), line)
	}
	require.NoError(t, srv.close())
	_, err = os.Stat(srv.dir)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestMetricsAddrLoopbackOnly: the metrics are never served beyond this machine.
func TestMetricsAddrLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:9101", ":9101", "10.1.2.3:9101", "example.com:9101", "127.0.0.1"} {
		var opts options
		_, err := startMetrics(addr, &opts)
		assert.Error(t, err, addr)
		assert.Nil(t, opts.metrics, addr)
	}
}
