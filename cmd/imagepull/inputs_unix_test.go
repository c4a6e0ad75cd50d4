//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// hangLimit bounds a run that would block forever on a FIFO without the fix: far above the
// second a run takes, so that it only ever trips on a hang.
const hangLimit = 30 * time.Second

// runBounded runs the binary as runAt does, but fails the test when the run is still going
// after hangLimit (the process is killed then), so that a hang cannot stall the suite.
func runBounded(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hangLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("imagepull %s hangs (killed after %s)", strings.Join(args, " "), hangLimit)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		require.NoError(t, err, "running %v", args)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
}

// hostileDir is a manifest directory holding one real manifest and, under manifest names, a
// FIFO, a symlink to a device and a symlink to a directory.
func hostileDir(t *testing.T) (dir string, skipped []string) {
	t.Helper()
	dir = t.TempDir()
	data, err := os.ReadFile("../../examples/manifests/shop.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "10-shop.yaml"), data, 0o600))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "20-pipe.yaml"), 0o600))
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "30-zero.json")))
	require.NoError(t, os.Symlink(t.TempDir(), filepath.Join(dir, "40-dir.yml")))
	return dir, []string{
		filepath.Join(dir, "20-pipe.yaml") + ": not a regular file (a named pipe)",
		filepath.Join(dir, "30-zero.json") + ": not a regular file (a device)",
		filepath.Join(dir, "40-dir.yml") + ": not a regular file (a directory)",
	}
}

// TestDirectorySkipsNonRegularFiles: in a -f directory, a FIFO named *.yaml (it hung explain
// and lint forever), a device and a directory under manifest names are skipped, with one note
// each on stderr, in order; the output is that of the directory's real manifest.
func TestDirectorySkipsNonRegularFiles(t *testing.T) {
	dir, skipped := hostileDir(t)
	for _, tc := range []struct {
		cmd  string
		code int
	}{{"explain", exitFailure}, {"lint", exitFailure}} {
		t.Run(tc.cmd, func(t *testing.T) {
			res := runBounded(t, tc.cmd, "-f", dir, "-o", "json")
			require.Equal(t, tc.code, res.code, res.stderr)
			var notes string
			for _, s := range skipped {
				notes += "imagepull " + tc.cmd + ": skipped " + s + "\n"
			}
			assert.Equal(t, notes, res.stderr)
			alone := runBounded(t, tc.cmd, "-f", filepath.Join(dir, "10-shop.yaml"), "-o", "json")
			assert.Equal(t, alone.stdout, res.stdout, "the directory reads as its one real manifest")
		})
	}
}

// TestExplicitFIFO: a FIFO named with -f is read, as process substitution needs:
// imagepull explain -f <(helm template ./chart).
func TestExplicitFIFO(t *testing.T) {
	data, err := os.ReadFile("../../examples/manifests/shop.yaml")
	require.NoError(t, err)
	want := runBounded(t, "explain", "-f", "../../examples/manifests/shop.yaml")
	require.Equal(t, exitFailure, want.code, "shop.yaml's toolbox fails with ErrImageNeverPull: %s", want.stderr)
	for _, cmd := range []string{"explain", "lint"} {
		t.Run(cmd, func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "rendered")
			require.NoError(t, syscall.Mkfifo(fifo, 0o600))
			written := make(chan error, 1)
			go func() { // the writer end, as the shell's process substitution
				f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
				if err != nil {
					written <- err
					return
				}
				_, err = f.Write(data)
				written <- errors.Join(err, f.Close())
			}()
			t.Cleanup(func() { // release a writer still waiting for a reader
				if f, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
					f.Close()
				}
			})
			res := runBounded(t, cmd, "-f", fifo)
			require.NoError(t, <-written)
			assert.Empty(t, res.stderr)
			if cmd == "explain" {
				require.Equal(t, exitFailure, res.code, "shop.yaml's toolbox fails with ErrImageNeverPull")
				assert.Equal(t, strings.ReplaceAll(want.stdout, "../../examples/manifests/shop.yaml:", fifo+":"), res.stdout)
			} else {
				assert.Equal(t, exitFailure, res.code, "shop.yaml has findings")
				assert.Contains(t, res.stdout, fifo+":")
			}
		})
	}
}

// TestLintConfigNonRegular: --config is read as every other input: a regular file of at most
// 1 MiB. A device (it grew memory to GBs), a FIFO (it hung forever), a directory or a larger
// file is one error line and exit code 2.
func TestLintConfigNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "lint.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	huge := filepath.Join(dir, "huge.yaml")
	require.NoError(t, os.WriteFile(huge, bytes.Repeat([]byte("#"), 1<<20+1), 0o600))
	for _, tc := range []struct{ path, want string }{
		{"/dev/zero", "not a regular file (a device)"},
		{fifo, "not a regular file (a named pipe)"},
		{dir, "not a regular file (a directory)"},
		{huge, "file too large: more than 1048576 bytes"},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			res := runBounded(t, "lint", "-f", "../../examples/manifests/shop.yaml", "--config", tc.path)
			assert.Equal(t, exitUsage, res.code)
			assert.Equal(t, "imagepull lint: --config: read "+tc.path+": "+tc.want+"\n", res.stderr)
			assert.Empty(t, res.stdout)
		})
	}
}

// TestCredentialProviderConfigNonRegular: a FIFO as --image-credential-provider-config is one
// error line and exit code 2 (it hung); in a configuration directory, a FIFO or a device is
// skipped with a note and the plugin of the directory's real file still runs.
func TestCredentialProviderConfigNonRegular(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "robot", Password: "s3cret"}})
	_, err := reg.PushRandom(t.Context(), "private/app:v1")
	require.NoError(t, err)
	flags, calls := pluginFlags(t, reg.Host(), "robot", "s3cret")
	config, bin := flags[1], flags[3]
	manifest := "../../examples/manifests/shop.yaml"

	t.Run("a FIFO", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "credential-providers.yaml")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		res := runBounded(t, "explain", "-f", manifest, "--image-credential-provider-config", fifo, "--image-credential-provider-bin-dir", bin)
		assert.Equal(t, exitUsage, res.code)
		assert.Equal(t, `imagepull explain: --image-credential-provider-config: unable to read file "`+fifo+`": not a regular file (a named pipe)`+"\n", res.stderr)
	})
	t.Run("a directory with a FIFO and a device", func(t *testing.T) {
		dir := t.TempDir()
		data, err := os.ReadFile(config)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "10-login.yaml"), data, 0o600))
		require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "20-pipe.yaml"), 0o600))
		require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "30-zero.json")))
		res := runBounded(t, "resolve", reg.Host()+"/private/app:v1", "--image-credential-provider-config", dir, "--image-credential-provider-bin-dir", bin,
			"--plain-http", "127.0.0.1")
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Equal(t, "imagepull resolve: skipped "+filepath.Join(dir, "20-pipe.yaml")+": not a regular file (a named pipe)\n"+
			"imagepull resolve: skipped "+filepath.Join(dir, "30-zero.json")+": not a regular file (a device)\n", res.stderr)
		assert.Equal(t, 1, pluginRuns(t, calls), "the plugin of the real file ran and its credentials reached the registry")
	})
}
