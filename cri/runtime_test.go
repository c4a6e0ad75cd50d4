package cri_test

import (
	"context"
	"net"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/imagepull/imagepull/cri"
)

// scriptedRuntime is a CRI image service on a unix socket that answers from a script and
// records what it was asked. It stands in for the runtime only for what containerd cannot be
// made to do (an empty image reference, a size-less image, CRI-O's "RegistryUnavailable"
// errors) and for seeing the requests; everything else is tested against containerd.
type scriptedRuntime struct {
	runtimeapi.UnimplementedImageServiceServer

	socket string

	mu      sync.Mutex // protects the fields below
	pulls   []result   // answers to PullImage calls, in order
	status  result     // the answer to every ImageStatus call
	gotPull []*runtimeapi.PullImageRequest
	gotStat []*runtimeapi.ImageStatusRequest
}

// result is one scripted answer: an image reference or image, or an error.
type result struct {
	ref   string
	image *runtimeapi.Image
	err   error
}

// newScriptedRuntime serves a scriptedRuntime until the test ends. With imageService false
// the gRPC server serves no CRI service at all.
func newScriptedRuntime(t *testing.T, imageService bool) *scriptedRuntime {
	t.Helper()
	rt := &scriptedRuntime{socket: filepath.Join(t.TempDir(), "cri.sock")}
	lis, err := net.Listen("unix", rt.socket)
	require.NoError(t, err)
	srv := grpc.NewServer()
	if imageService {
		runtimeapi.RegisterImageServiceServer(srv, rt)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return rt
}

func (rt *scriptedRuntime) dial(t *testing.T) *cri.Client {
	t.Helper()
	c, err := cri.Dial(t.Context(), rt.socket, nil)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func (rt *scriptedRuntime) script(status result, pulls ...result) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.status, rt.pulls = status, pulls
}

func (rt *scriptedRuntime) pullRequests() []*runtimeapi.PullImageRequest {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.gotPull
}

func (rt *scriptedRuntime) statusRequests() []*runtimeapi.ImageStatusRequest {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.gotStat
}

func (rt *scriptedRuntime) ImageFsInfo(context.Context, *runtimeapi.ImageFsInfoRequest) (*runtimeapi.ImageFsInfoResponse, error) {
	return &runtimeapi.ImageFsInfoResponse{}, nil
}

func (rt *scriptedRuntime) PullImage(_ context.Context, req *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.gotPull = append(rt.gotPull, proto.Clone(req).(*runtimeapi.PullImageRequest))
	if len(rt.pulls) == 0 {
		return nil, errUnscripted
	}
	r := rt.pulls[0]
	rt.pulls = rt.pulls[1:]
	if r.err != nil {
		return nil, r.err
	}
	return &runtimeapi.PullImageResponse{ImageRef: r.ref}, nil
}

func (rt *scriptedRuntime) ImageStatus(_ context.Context, req *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.gotStat = append(rt.gotStat, proto.Clone(req).(*runtimeapi.ImageStatusRequest))
	if rt.status.err != nil {
		return nil, rt.status.err
	}
	return &runtimeapi.ImageStatusResponse{Image: rt.status.image}, nil
}
