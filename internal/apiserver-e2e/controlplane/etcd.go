package controlplane

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"
)

// Etcd is a single-member etcd on loopback.
type Etcd struct {
	// URL is the client URL, for --etcd-servers.
	URL  string
	proc *process
}

// StartEtcd starts bin with its data and log under dir and waits until it is healthy.
func StartEtcd(ctx context.Context, bin, dir string) (*Etcd, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	client, peer := "http://"+hostPort(ports[0]), "http://"+hostPort(ports[1])
	p, err := start("etcd", bin, filepath.Join(dir, "etcd.log"),
		"--name=e2e", "--data-dir="+filepath.Join(dir, "etcd-data"),
		"--listen-client-urls="+client, "--advertise-client-urls="+client,
		"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer,
		"--initial-cluster=e2e="+peer, "--logger=zap", "--log-level=warn")
	if err != nil {
		return nil, err
	}
	e := &Etcd{URL: client, proc: p}
	if err := waitFor(ctx, p, 60*time.Second, func(ctx context.Context) bool {
		body, ok := get(ctx, http.DefaultClient, client+"/health", "")
		return ok && strings.Contains(body, `"health":"true"`)
	}); err != nil {
		_ = p.stop(5 * time.Second)
		return nil, err
	}
	return e, nil
}

// Stop stops etcd.
func (e *Etcd) Stop() error { return e.proc.stop(10 * time.Second) }

// waitFor polls ready until it is true, the process exits, the timeout passes or ctx ends.
func waitFor(ctx context.Context, p *process, timeout time.Duration, ready func(context.Context) bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if ready(ctx) {
			return nil
		}
		if gone, err := p.exited(); gone {
			return fmt.Errorf("controlplane: %s exited before it was ready (%v); log:\n%s", p.name, err, p.tail(4000))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("controlplane: %s not ready: %w; log:\n%s", p.name, ctx.Err(), p.tail(4000))
		case <-tick.C:
		}
	}
}

// get fetches url (with a bearer token when given) and reports whether it answered 200.
func get(ctx context.Context, c *http.Client, url, token string) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", false
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return string(body), resp.StatusCode == http.StatusOK
}
