package cri_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"

	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// Dial checks the socket before anything else: a runtime that is not running is reported as
// such, and the error matches fs.ErrNotExist.
func ExampleDial() {
	_, err := cri.Dial(context.Background(), "unix:///nonexistent/containerd.sock", nil)
	fmt.Println(err)
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// cri: socket /nonexistent/containerd.sock does not exist (is the container runtime running?): stat /nonexistent/containerd.sock: no such file or directory
	// true
}

// A Client is the local image store for pullpolicy.Decide and the puller that carries out
// its decision. (Not run: it needs a container runtime.)
func Example() {
	ctx := context.Background()
	c, err := cri.Dial(ctx, "/run/containerd/containerd.sock", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	img := reference.MustParse("nginx:1.27")
	d, err := pullpolicy.Decide(ctx, pullpolicy.IfNotPresent, img, c, nil)
	if err != nil {
		log.Fatal(err)
	}
	if d.Action == pullpolicy.Pull {
		res, err := c.PullImage(ctx, kubelet.PullRequest{Image: d.PullRef.WithDefaultTag()})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("pulled", res.ImageRef, res.Size, "bytes")
		return
	}
	fmt.Println(d.Message)
}
