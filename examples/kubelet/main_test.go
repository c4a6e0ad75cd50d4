package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/internal/critest"
)

// hostPort matches the loopback registry's address, which changes from run to run.
var hostPort = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)

// The program's whole output with the stand-in runtime; only the registry's port varies.
func Example() {
	var out strings.Builder
	if err := run(context.Background(), &out, options{arch: fakeNodeArch}); err != nil {
		panic(err)
	}
	fmt.Print(hostPort.ReplaceAllString(out.String(), "127.0.0.1:PORT"))
	// Output:
	// registry 127.0.0.1:PORT serves team/app:v1 (private: user alice) and library/nginx:1.25 (public)
	//
	// # team-a pulls its private image with its Secret
	// t=0s     team-a/app starts 127.0.0.1:PORT/team/app:v1
	//   Normal  Pulling           Pulling image "127.0.0.1:PORT/team/app:v1"
	//   Normal  Pulled            Successfully pulled image "127.0.0.1:PORT/team/app:v1" in 850ms (850ms including waiting). Image size: 2608 bytes.
	//   => running image ID 47ced185d6c6
	//
	// # a restart: the Secret that pulled it is on record
	// t=30s    team-a/app starts 127.0.0.1:PORT/team/app:v1
	//   Normal  Pulled            Container image "127.0.0.1:PORT/team/app:v1" already present on machine and can be accessed by the pod
	//   => running image ID 47ced185d6c6
	//
	// # a public image, pulled anonymously: open to every pod
	// t=35s    team-a/app starts 127.0.0.1:PORT/library/nginx:1.25
	//   Normal  Pulling           Pulling image "127.0.0.1:PORT/library/nginx:1.25"
	//   Normal  Pulled            Successfully pulled image "127.0.0.1:PORT/library/nginx:1.25" in 850ms (850ms including waiting). Image size: 2608 bytes.
	//   => running image ID 4d216be71596
	//
	// # team-b has no Secret: it must pull, and the registry refuses; then the back-off
	// t=41s    team-b/app starts 127.0.0.1:PORT/team/app:v1
	//   Normal  Pulling           Pulling image "127.0.0.1:PORT/team/app:v1"
	//   Warning Failed            Failed to pull image "127.0.0.1:PORT/team/app:v1": failed to pull and unpack image "127.0.0.1:PORT/team/app:v1": failed to resolve reference "127.0.0.1:PORT/team/app:v1": pulling from host 127.0.0.1:PORT failed with status code [manifests v1]: 401 Unauthorized
	//   => waiting: ErrImagePull: failed to pull and unpack image "127.0.0.1:PORT/team/app:v1": failed to resolve reference "127.0.0.1:PORT/team/app:v1": pulling from host 127.0.0.1:PORT failed with status code [manifests v1]: 401 Unauthorized
	// t=47s    team-b/app starts 127.0.0.1:PORT/team/app:v1
	//   Normal  BackOff           Back-off pulling image "127.0.0.1:PORT/team/app:v1"
	//   => waiting: ImagePullBackOff: Back-off pulling image "127.0.0.1:PORT/team/app:v1": ErrImagePull: failed to pull and unpack image "127.0.0.1:PORT/team/app:v1": failed to resolve reference "127.0.0.1:PORT/team/app:v1": pulling from host 127.0.0.1:PORT failed with status code [manifests v1]: 401 Unauthorized
	// t=57s    team-b/app starts 127.0.0.1:PORT/team/app:v1
	//   Normal  Pulling           Pulling image "127.0.0.1:PORT/team/app:v1"
	//   Warning Failed            Failed to pull image "127.0.0.1:PORT/team/app:v1": failed to pull and unpack image "127.0.0.1:PORT/team/app:v1": failed to resolve reference "127.0.0.1:PORT/team/app:v1": pulling from host 127.0.0.1:PORT failed with status code [manifests v1]: 401 Unauthorized
	//   => waiting: ErrImagePull: failed to pull and unpack image "127.0.0.1:PORT/team/app:v1": failed to resolve reference "127.0.0.1:PORT/team/app:v1": pulling from host 127.0.0.1:PORT failed with status code [manifests v1]: 401 Unauthorized
	// t=1m8s   team-b/app starts 127.0.0.1:PORT/team/app:v1
	//   Normal  BackOff           Back-off pulling image "127.0.0.1:PORT/team/app:v1"
	//   => waiting: ImagePullBackOff: Back-off pulling image "127.0.0.1:PORT/team/app:v1": ErrImagePull: failed to pull and unpack image "127.0.0.1:PORT/team/app:v1": failed to resolve reference "127.0.0.1:PORT/team/app:v1": pulling from host 127.0.0.1:PORT failed with status code [manifests v1]: 401 Unauthorized
	// t=1m28s  team-b/app starts 127.0.0.1:PORT/team/app:v1
	//   Normal  Pulling           Pulling image "127.0.0.1:PORT/team/app:v1"
	//   Warning Failed            Failed to pull image "127.0.0.1:PORT/team/app:v1": failed to pull and unpack image "127.0.0.1:PORT/team/app:v1": failed to resolve reference "127.0.0.1:PORT/team/app:v1": pulling from host 127.0.0.1:PORT failed with status code [manifests v1]: 401 Unauthorized
	//   => waiting: ErrImagePull: failed to pull and unpack image "127.0.0.1:PORT/team/app:v1": failed to resolve reference "127.0.0.1:PORT/team/app:v1": pulling from host 127.0.0.1:PORT failed with status code [manifests v1]: 401 Unauthorized
	//
	// # under Never, an image the pod may not use is reported as not present
	// t=1m34s  team-b/batch starts 127.0.0.1:PORT/team/app:v1 (Never)
	//   Warning ErrImageNeverPull Container image "127.0.0.1:PORT/team/app:v1" is not present with pull policy of Never
	//   => waiting: ErrImageNeverPull: Container image "127.0.0.1:PORT/team/app:v1" is not present with pull policy of Never
	// t=1m39s  team-b/batch starts 127.0.0.1:PORT/library/nginx:1.25 (Never)
	//   Normal  Pulled            Container image "127.0.0.1:PORT/library/nginx:1.25" already present on machine and can be accessed by the pod
	//   => running image ID 4d216be71596
}

// TestCRI plays the scenario against the real runtime named by IMAGEPULL_CRI_SOCKET (see
// .ci/containerd.sh) and checks that it prints what the stand-in prints, but for the times,
// which are real: the same events, messages, errors and image IDs. It is skipped without a
// runtime, except under CI=true, where it fails.
func TestCRI(t *testing.T) {
	socket := critest.Socket(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	var fake, real strings.Builder
	require.NoError(t, run(ctx, &fake, options{arch: runtime.GOARCH}))
	require.NoError(t, run(ctx, &real, options{socket: socket}))
	require.Equal(t, machineFree(fake.String()), machineFree(real.String()))

	// The images pulled from this run's registry are gone from the runtime.
	host := hostPort.FindString(real.String())
	require.NotEmpty(t, host)
	c, err := cri.Dial(ctx, socket, nil)
	require.NoError(t, err)
	defer c.Close()
	imgs, err := c.ListImages(ctx)
	require.NoError(t, err)
	for _, img := range imgs {
		for _, name := range append(img.RepoTags, img.RepoDigests...) {
			require.False(t, strings.HasPrefix(name, host+"/"), "%s is left in the runtime", name)
		}
	}
}

// machineFree removes from the output what depends on the machine: the registry's port, the
// times since the start and the pull durations.
func machineFree(out string) string {
	out = hostPort.ReplaceAllString(out, "127.0.0.1:PORT")
	out = regexp.MustCompile(`t=\S+ +`).ReplaceAllString(out, "t=T ")
	return regexp.MustCompile(`in \S+ \(\S+ including waiting\)`).ReplaceAllString(out, "in D (D including waiting)")
}

func TestCRIMissingSocket(t *testing.T) {
	err := run(t.Context(), io.Discard, options{socket: filepath.Join(t.TempDir(), "none.sock")})
	require.ErrorIs(t, err, fs.ErrNotExist)
}
