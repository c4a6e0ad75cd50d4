package apiservere2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/imagepull/imagepull/internal/apiserver-e2e/controlplane"
)

// The control plane shared by the tests, started once by TestMain: one etcd and two API servers
// on separate etcd prefixes.
var (
	// hookAPI runs the default admission plugins, which include the webhook dispatchers.
	hookAPI *controlplane.APIServer
	// pluginAPI also runs the built-in AlwaysPullImages plugin: the reference.
	pluginAPI *controlplane.APIServer
	// missing says why the control plane was not started; empty when it was.
	missing string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run starts the control plane (unless its binaries are missing), runs the tests and stops it.
func run(m *testing.M) int {
	apiserverBin, etcdBin, why := binaries()
	if why != "" {
		missing = why
		code := m.Run()
		if os.Getenv("CI") != "true" {
			say("apiserver-e2e: SKIPPED the real kube-apiserver tests: " + why + " (run .ci/apiserver-e2e.sh)")
		}
		return code
	}
	dir, err := os.MkdirTemp("", "apiserver-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	stop, err := startControlPlane(ctx, apiserverBin, etcdBin, dir)
	defer stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiserver-e2e: starting the control plane:", err)
		return 1
	}
	return m.Run()
}

// binaries finds kube-apiserver (KUBE_APISERVER_BIN) and etcd (ETCD_BIN, else PATH), or says
// what is missing.
func binaries() (apiserver, etcd, missing string) {
	apiserver = os.Getenv("KUBE_APISERVER_BIN")
	if apiserver == "" {
		return "", "", "KUBE_APISERVER_BIN is unset"
	}
	if _, err := os.Stat(apiserver); err != nil {
		return "", "", fmt.Sprintf("KUBE_APISERVER_BIN: %v", err)
	}
	etcd = os.Getenv("ETCD_BIN")
	if etcd == "" {
		var err error
		if etcd, err = exec.LookPath("etcd"); err != nil {
			return "", "", "etcd is not on PATH and ETCD_BIN is unset"
		}
	}
	return apiserver, etcd, ""
}

// startControlPlane starts etcd and both API servers (in parallel) and returns a function that
// stops whatever started.
func startControlPlane(ctx context.Context, apiserverBin, etcdBin, dir string) (func(), error) {
	etcd, err := controlplane.StartEtcd(ctx, etcdBin, dir)
	if err != nil {
		return func() {}, err
	}
	servers := make([]*controlplane.APIServer, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, plugins := range []string{"", "AlwaysPullImages"} {
		wg.Go(func() {
			sub := filepath.Join(dir, fmt.Sprintf("apiserver-%d", i))
			if errs[i] = os.Mkdir(sub, 0o700); errs[i] != nil {
				return
			}
			opts := controlplane.APIServerOptions{Bin: apiserverBin, EtcdURL: etcd.URL, EtcdPrefix: fmt.Sprintf("/registry-%d", i), Dir: sub}
			if plugins != "" {
				opts.Args = []string{"--enable-admission-plugins=" + plugins}
			}
			servers[i], errs[i] = controlplane.StartAPIServer(ctx, opts)
		})
	}
	wg.Wait()
	hookAPI, pluginAPI = servers[0], servers[1]
	stop := func() {
		for _, s := range servers {
			if s != nil {
				_ = s.Stop()
			}
		}
		_ = etcd.Stop()
	}
	return stop, errors.Join(errs...)
}

// needControlPlane skips the test (fails it under CI=true) when the control plane is missing.
func needControlPlane(t *testing.T) {
	t.Helper()
	if missing == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and the control plane is missing: %s (run .ci/apiserver-e2e.sh)", missing)
	}
	t.Skip(missing)
}

// say writes one line to the terminal when there is one (go test hides a passing package's
// output), else to standard error.
func say(line string) {
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		fmt.Fprintln(tty, line)
		_ = tty.Close()
		return
	}
	fmt.Fprintln(os.Stderr, line)
}
