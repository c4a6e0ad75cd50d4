package plugin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sync"
	"time"
)

// Bounds of a plugin run.
const (
	// DefaultTimeout is the kubelet's catch-all timeout of a plugin run.
	DefaultTimeout = time.Minute
	// DefaultMaxResponseBytes bounds what a plugin may print on stdout.
	DefaultMaxResponseBytes = 1 << 20
	// maxStderrBytes bounds the stderr kept for an error message.
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
}

// run executes the plugin for image with the request on stdin and returns its decoded
// response. It waits at most the timeout, whatever ctx says: ctx only carries values. When the
// plugin exits, or is killed on timeout or for printing too much, its whole process group is
// killed, so nothing it started outlives the run.
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

	cmd := exec.CommandContext(overflow, path, r.args...)
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = slices.Concat(r.environ(), r.env)
	cmd.WaitDelay = waitDelay
	isolate(cmd)
	stdout := &limitedBuffer{max: r.maxOut, onOverflow: abort}
	stderr := &limitedBuffer{max: maxStderrBytes}
	runErr := runCollecting(cmd, stdout, stderr)
	switch {
	case stdout.overflowed:
		return nil, providerError(r.name, ErrInvalidResponse, fmt.Errorf(
			"credential provider plugin %s for image %s wrote more than %d bytes on stdout: %s", r.name, image, r.maxOut, stderr))
	case ctx.Err() != nil:
		return nil, providerError(r.name, ErrPluginExec, fmt.Errorf(
			"error execing credential provider plugin %s for image %s: %w: %s", r.name, image, ctx.Err(), stderr))
	case runErr != nil:
		return nil, providerError(r.name, ErrPluginExec, fmt.Errorf(
			"error execing credential provider plugin %s for image %s: %w: %s", r.name, image, runErr, stderr))
	}
	resp, err := decodeResponse(stdout.buf, r.apiVersion)
	if err != nil {
		return nil, providerError(r.name, ErrInvalidResponse, err)
	}
	return resp, nil
}

// runCollecting runs cmd with its stdout and stderr going into the buffers through pipes of
// its own, so that the run ends when the plugin exits: its process group is then killed, and
// the pipes are drained for at most waitDelay more (a descendant that left the group may hold
// them open) before they are closed.
func runCollecting(cmd *exec.Cmd, stdout, stderr *limitedBuffer) error {
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
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
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
