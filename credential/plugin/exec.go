package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/imagepull/imagepull/internal/redact"
)

// Bounds of a plugin run.
const (
	// DefaultTimeout is the kubelet's catch-all timeout of a plugin run.
	DefaultTimeout = time.Minute
	// DefaultMaxResponseBytes bounds what a plugin may print on stdout.
	DefaultMaxResponseBytes = 1 << 20
	// maxStderrBytes bounds the stderr kept for the debug log.
	maxStderrBytes = 16 << 10
	// waitDelay bounds how long a run waits for the plugin's output pipes once the plugin is
	// gone (a descendant that escaped its process group may hold them open).
	waitDelay = 2 * time.Second
)

// runner runs one provider's plugin binary.
type runner struct {
	name       string
	dir        pluginDir
	apiVersion string
	args       []string
	env        []string // NAME=value from the configuration
	environ    func() []string
	timeout    time.Duration
	maxOut     int
	log        *slog.Logger // never nil
	contain    containment
}

// run executes the plugin for image with the request on stdin and returns its decoded
// response. It waits at most the timeout, whatever ctx says: ctx only carries values. When the
// plugin exits, or is killed on timeout or for printing too much, its whole process group is
// killed, and on Linux also what left the group ([containment]), so nothing it started
// outlives the run.
func (r *runner) run(ctx context.Context, image, token string, annotations map[string]string) (*response, error) {
	path, err := r.dir.binary(r.name)
	if err != nil {
		return nil, providerError(r.name, ErrPluginNotFound, err)
	}
	stdin, err := encodeRequest(r.apiVersion, image, token, annotations)
	if err != nil {
		return nil, providerError(r.name, ErrPluginExec, err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	overflow, abort := context.WithCancel(ctx)
	defer abort()

	environ := slices.Concat(r.environ(), r.env)
	newCmd := func() *exec.Cmd {
		cmd := exec.CommandContext(overflow, path, r.args...)
		cmd.Stdin = bytes.NewReader(stdin)
		cmd.Env = slices.Clone(environ)
		cmd.WaitDelay = waitDelay
		isolate(cmd)
		return cmd
	}
	stdout := &limitedBuffer{max: r.maxOut, onOverflow: abort}
	stderr := &limitedBuffer{max: maxStderrBytes}
	runErr := runCollecting(newCmd, &r.contain, stdout, stderr)
	// The plugin's stderr never goes into the error, which Provider.Credentials logs at error
	// level: a plugin that echoes its request would put the pod's service-account token there.
	// The kubelet appends it to the error (pkg/credentialprovider/plugin/plugin.go:720-722);
	// here it is logged at debug level only, with the token and credentials masked.
	var failed error
	switch {
	case stdout.overflowed:
		failed = providerError(r.name, ErrInvalidResponse, fmt.Errorf(
			"credential provider plugin %s for image %s wrote more than %d bytes on stdout", r.name, image, r.maxOut))
	case ctx.Err() != nil:
		failed = providerError(r.name, ErrPluginExec, fmt.Errorf(
			"error execing credential provider plugin %s for image %s: %w", r.name, image, ctx.Err()))
	case runErr != nil:
		failed = providerError(r.name, ErrPluginExec, fmt.Errorf(
			"error execing credential provider plugin %s for image %s: %w", r.name, image, runErr))
	}
	if failed != nil {
		r.logStderr(ctx, image, token, stdout, stderr)
		return nil, failed
	}
	resp, err := decodeResponse(stdout.buf, r.apiVersion)
	if err != nil {
		return nil, providerError(r.name, ErrInvalidResponse, err)
	}
	return resp, nil
}

// logStderr logs a failed run's stderr at debug level, with the service-account token sent and
// any credentials the plugin printed on stdout masked.
func (r *runner) logStderr(ctx context.Context, image, token string, stdout, stderr *limitedBuffer) {
	if len(stderr.buf) == 0 || !r.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	var secrets redact.Set
	secrets.Add(token)
	if !stdout.overflowed {
		var resp response
		if json.Unmarshal(stdout.buf, &resp) == nil {
			for _, a := range resp.Auth {
				secrets.AddBasic(a.Username, a.Password)
			}
		}
	}
	text := string(stderr.buf)
	if cut := secrets.MaxLen() - 1; stderr.dropped > 0 && cut > 0 {
		// The cut may split a secret: drop what could be its start, then say how much is cut.
		text = text[:max(0, len(text)-cut)]
		text += "… [" + strconv.FormatInt(int64(len(stderr.buf)-len(text))+stderr.dropped, 10) + " more bytes]"
	} else if stderr.dropped > 0 {
		text = stderr.String()
	}
	r.log.LogAttrs(ctx, slog.LevelDebug, "credential provider plugin stderr",
		slog.String("provider", r.name), slog.String("image", image),
		slog.String("stderr", secrets.String(text)))
}

// runCollecting runs a command of newCmd with its stdout and stderr going into the buffers
// through pipes of its own, so that the run ends when the plugin exits: its process group is
// then killed, and so are the descendants that left the group (see [containment]); the pipes
// are drained for at most waitDelay more (a descendant that escaped everything may hold them
// open) before they are closed.
func runCollecting(newCmd func() *exec.Cmd, contain *containment, stdout, stderr *limitedBuffer) error {
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return err
	}
	cmd, tracked, err := contain.start(newCmd, outW, errW)
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return err
	}
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = io.Copy(stdout, outR) })
	wg.Go(func() { _, _ = io.Copy(stderr, errR) })
	err = cmd.Wait()
	_ = killGroup(cmd)
	tracked.kill()
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(waitDelay):
	}
	outR.Close() // unblocks a copier still reading
	errR.Close()
	<-drained
	return err
}
