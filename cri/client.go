package cri

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Defaults used when the corresponding [Options] field is zero.
const (
	// DefaultDialTimeout bounds [Dial]'s connection check.
	DefaultDialTimeout = 10 * time.Second
	// DefaultCallTimeout bounds each call other than PullImage: the kubelet's default
	// --runtime-request-timeout.
	DefaultCallTimeout = 2 * time.Minute
)

// maxMsgSize is the largest response accepted, as in the kubelet's CRI client (image lists
// of busy nodes exceed gRPC's 4 MiB default).
const maxMsgSize = 16 << 20

// Options configures [Dial]. A nil *Options, and every zero field, means the default.
type Options struct {
	// DialTimeout bounds the connection check in Dial, on top of Dial's context.
	// Zero means DefaultDialTimeout.
	DialTimeout time.Duration
	// CallTimeout bounds each ImageStatus, ListImages, RemoveImage and Version call, on top of
	// the call's context. PullImage is bounded only by its context, as in the kubelet.
	// Zero means DefaultCallTimeout; a negative value means no timeout beyond the context.
	CallTimeout time.Duration
}

// Client talks to a container runtime's CRI image service over a unix socket. It implements
// [pullpolicy.Store] and [kubelet.Puller]. It is safe for concurrent use; Close releases the
// connection. The zero Client is not usable: create one with [Dial].
type Client struct {
	endpoint    string // the socket as given to Dial, for error messages
	conn        *grpc.ClientConn
	images      runtimeapi.ImageServiceClient
	runtime     runtimeapi.RuntimeServiceClient
	callTimeout time.Duration // < 0: none
}

var (
	_ pullpolicy.Store    = (*Client)(nil)
	_ kubelet.Puller      = (*Client)(nil)
	_ kubelet.ImageLister = (*Client)(nil) // so the image manager recovers pull records at startup
)

// Dial connects to the CRI runtime listening on socket, a unix socket path
// ("/run/containerd/containerd.sock") or URL ("unix:///run/containerd/containerd.sock"), and
// checks that it serves the CRI v1 image service (an ImageFsInfo call, as the kubelet's CRI
// client does). It returns an error wrapping [fs.ErrNotExist] when the socket does not exist,
// and a clear error when the socket is not a unix socket, nobody answers on it, or the runtime
// does not implement CRI v1. Dial starts no goroutine of its own; gRPC's connection machinery
// runs until Close.
func Dial(ctx context.Context, socket string, opts *Options) (*Client, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	path, err := socketPath(socket)
	if err != nil {
		return nil, err
	}
	if err := checkSocket(path); err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient("unix://"+path,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithAuthority("localhost"),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsgSize)),
	)
	if err != nil {
		return nil, fmt.Errorf("cri: connect to %q: %w", socket, err)
	}
	c := &Client{
		endpoint:    socket,
		conn:        conn,
		images:      runtimeapi.NewImageServiceClient(conn),
		runtime:     runtimeapi.NewRuntimeServiceClient(conn),
		callTimeout: o.CallTimeout,
	}
	if err := c.probe(ctx, o.DialTimeout); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func (o *Options) withDefaults() (Options, error) {
	var r Options
	if o != nil {
		r = *o
	}
	if r.DialTimeout < 0 {
		return r, fmt.Errorf("cri: negative dial timeout %v", r.DialTimeout)
	}
	if r.DialTimeout == 0 {
		r.DialTimeout = DefaultDialTimeout
	}
	if r.CallTimeout == 0 {
		r.CallTimeout = DefaultCallTimeout
	}
	return r, nil
}

// socketPath turns a socket path or unix:// URL into an absolute path.
func socketPath(socket string) (string, error) {
	path := socket
	if rest, ok := strings.CutPrefix(socket, "unix://"); ok {
		path = rest
	} else if scheme, _, ok := strings.Cut(socket, "://"); ok {
		return "", fmt.Errorf("cri: unsupported endpoint %q: scheme %q, only unix sockets are supported", socket, scheme)
	}
	if path == "" {
		return "", fmt.Errorf("cri: empty socket path %q", socket)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("cri: socket path %q: %w", socket, err)
	}
	return abs, nil
}

// checkSocket reports a missing path or a path that is not a socket before gRPC gets to turn
// it into a connection error.
func checkSocket(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cri: socket %s does not exist (is the container runtime running?): %w", path, err)
	}
	if err != nil {
		return fmt.Errorf("cri: socket %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("cri: %s is not a unix socket (mode %v)", path, fi.Mode())
	}
	return nil
}

// probe checks that the runtime serves the CRI v1 image service.
func (c *Client) probe(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := c.images.ImageFsInfo(ctx, &runtimeapi.ImageFsInfoRequest{})
	if err == nil {
		return nil
	}
	if status.Code(err) == codes.Unimplemented {
		return fmt.Errorf("cri: the runtime at %q does not serve the CRI v1 image service (runtime.v1.ImageService): %w", c.endpoint, callError(ctx, err, false))
	}
	return fmt.Errorf("cri: connect to %q: %w", c.endpoint, callError(ctx, err, false))
}

// Close closes the connection. Calls in flight fail; calls after Close fail.
func (c *Client) Close() error {
	return c.conn.Close()
}

// Version returns the runtime's name and version as CRI Version reports them
// ("containerd", "1.6.20~ds1").
func (c *Client) Version(ctx context.Context) (name, version string, err error) {
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.runtime.Version(ctx, &runtimeapi.VersionRequest{})
	if err != nil {
		return "", "", callError(ctx, err, false)
	}
	return resp.GetRuntimeName(), resp.GetRuntimeVersion(), nil
}

// callContext bounds a non-pull call by the default call timeout.
func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.callTimeout < 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.callTimeout)
}

// RuntimeService returns the client of the runtime's CRI v1 runtime service (pod sandboxes and
// containers) on the same connection, for a program that runs containers as well as pulling
// their images, such as a virtual node (examples/virtual-kubelet-cri). Its calls are bounded
// by their contexts only.
func (c *Client) RuntimeService() runtimeapi.RuntimeServiceClient { return c.runtime }
