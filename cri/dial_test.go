package cri_test

import (
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/imagepull/imagepull/cri"
)

func TestDialErrors(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(regular, nil, 0o600))
	stale := filepath.Join(dir, "stale.sock")
	lis, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	require.NoError(t, err)
	lis.SetUnlinkOnClose(false)
	require.NoError(t, lis.Close())
	missing := filepath.Join(dir, "missing.sock")

	tests := []struct {
		name    string
		socket  string
		opts    *cri.Options
		wantErr string // the whole text, or with wantSub a part of it
		wantSub bool
		wantIs  error
	}{
		{name: "missing", socket: missing, wantIs: fs.ErrNotExist,
			wantErr: "cri: socket " + missing + " does not exist (is the container runtime running?): stat " + missing + ": no such file or directory"},
		{name: "missing URL", socket: "unix://" + missing, wantIs: fs.ErrNotExist,
			wantErr: "cri: socket " + missing + " does not exist (is the container runtime running?): stat " + missing + ": no such file or directory"},
		{name: "not a socket", socket: regular, wantErr: "cri: " + regular + " is not a unix socket (mode -rw-------)"},
		{name: "tcp", socket: "tcp://127.0.0.1:1234", wantErr: `cri: unsupported endpoint "tcp://127.0.0.1:1234": scheme "tcp", only unix sockets are supported`},
		{name: "empty", socket: "", wantErr: `cri: empty socket path ""`},
		{name: "empty URL", socket: "unix://", wantErr: `cri: empty socket path "unix://"`},
		{name: "negative timeout", socket: missing, opts: &cri.Options{DialTimeout: -time.Second}, wantErr: "cri: negative dial timeout -1s"},
		{name: "nobody listening", socket: stale, wantSub: true, wantErr: `cri: connect to "` + stale + `": rpc error: code = Unavailable`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := cri.Dial(t.Context(), tc.socket, tc.opts)
			require.Error(t, err)
			assert.Nil(t, c)
			if tc.wantSub {
				assert.Contains(t, err.Error(), tc.wantErr)
			} else {
				assert.EqualError(t, err, tc.wantErr)
			}
			if tc.wantIs != nil {
				assert.ErrorIs(t, err, tc.wantIs)
			}
		})
	}
}

func TestDialNotCRI(t *testing.T) {
	rt := newScriptedRuntime(t, false)
	_, err := cri.Dial(t.Context(), rt.socket, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cri: the runtime at "`+rt.socket+`" does not serve the CRI v1 image service (runtime.v1.ImageService): rpc error: code = Unimplemented`)
	st, ok := status.FromError(err)
	require.True(t, ok)
	assert.Equal(t, codes.Unimplemented, st.Code())
}

func TestDialURL(t *testing.T) {
	rt := newScriptedRuntime(t, true)
	c, err := cri.Dial(t.Context(), "unix://"+rt.socket, &cri.Options{DialTimeout: time.Second, CallTimeout: -1})
	require.NoError(t, err)
	require.NoError(t, c.Close())
}
