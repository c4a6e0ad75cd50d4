package main

import (
	"context"
	"os"
)

// The program's whole output, with the default fake runtime: run is deterministic.
func Example() {
	if err := run(context.Background(), os.Stdout, newFakeRuntime); err != nil {
		panic(err)
	}
	// Output:
	// # team-a pulls its private image with its Secret
	// t=0s     team-a/app starts registry.example/team/app:v1
	//   Normal  Pulling           Pulling image "registry.example/team/app:v1"
	//   Normal  Pulled            Successfully pulled image "registry.example/team/app:v1" in 850ms (850ms including waiting). Image size: 31457280 bytes.
	//   => running image sha256:9b2e
	//
	// # a restart: the Secret that pulled it is on record
	// t=30s    team-a/app starts registry.example/team/app:v1
	//   Normal  Pulled            Container image "registry.example/team/app:v1" already present on machine and can be accessed by the pod
	//   => running image sha256:9b2e
	//
	// # a public image, pulled anonymously: open to every pod
	// t=35s    team-a/app starts nginx:1.25
	//   Normal  Pulling           Pulling image "nginx:1.25"
	//   Normal  Pulled            Successfully pulled image "nginx:1.25" in 850ms (850ms including waiting). Image size: 67108864 bytes.
	//   => running image sha256:4f0a
	//
	// # team-b has no Secret: it must pull, and the registry refuses; then the back-off
	// t=41s    team-b/app starts registry.example/team/app:v1
	//   Normal  Pulling           Pulling image "registry.example/team/app:v1"
	//   Warning Failed            Failed to pull image "registry.example/team/app:v1": failed to resolve reference "registry.example/team/app:v1": pull access denied: 401 Unauthorized
	//   => waiting: ErrImagePull: failed to resolve reference "registry.example/team/app:v1": pull access denied: 401 Unauthorized
	// t=47s    team-b/app starts registry.example/team/app:v1
	//   Normal  BackOff           Back-off pulling image "registry.example/team/app:v1"
	//   => waiting: ImagePullBackOff: Back-off pulling image "registry.example/team/app:v1": ErrImagePull: failed to resolve reference "registry.example/team/app:v1": pull access denied: 401 Unauthorized
	// t=57s    team-b/app starts registry.example/team/app:v1
	//   Normal  Pulling           Pulling image "registry.example/team/app:v1"
	//   Warning Failed            Failed to pull image "registry.example/team/app:v1": failed to resolve reference "registry.example/team/app:v1": pull access denied: 401 Unauthorized
	//   => waiting: ErrImagePull: failed to resolve reference "registry.example/team/app:v1": pull access denied: 401 Unauthorized
	// t=1m8s   team-b/app starts registry.example/team/app:v1
	//   Normal  BackOff           Back-off pulling image "registry.example/team/app:v1"
	//   => waiting: ImagePullBackOff: Back-off pulling image "registry.example/team/app:v1": ErrImagePull: failed to resolve reference "registry.example/team/app:v1": pull access denied: 401 Unauthorized
	// t=1m28s  team-b/app starts registry.example/team/app:v1
	//   Normal  Pulling           Pulling image "registry.example/team/app:v1"
	//   Warning Failed            Failed to pull image "registry.example/team/app:v1": failed to resolve reference "registry.example/team/app:v1": pull access denied: 401 Unauthorized
	//   => waiting: ErrImagePull: failed to resolve reference "registry.example/team/app:v1": pull access denied: 401 Unauthorized
	//
	// # under Never, an image the pod may not use is reported as not present
	// t=1m34s  team-b/batch starts registry.example/team/app:v1 (Never)
	//   Warning ErrImageNeverPull Container image "registry.example/team/app:v1" is not present with pull policy of Never
	//   => waiting: ErrImageNeverPull: Container image "registry.example/team/app:v1" is not present with pull policy of Never
	// t=1m39s  team-b/batch starts nginx:1.25 (Never)
	//   Normal  Pulled            Container image "nginx:1.25" already present on machine and can be accessed by the pod
	//   => running image sha256:4f0a
}
