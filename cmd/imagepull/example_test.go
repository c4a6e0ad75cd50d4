package main

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// The command's own runs, in process: what a user sees on the terminal.

func Example_decide() {
	a := newApp(nil, os.Stdout, os.Stdout, false)
	code := a.run(context.Background(), []string{"decide", "nginx:1.25", "--policy", "Never"})
	fmt.Println("exit code", code)
	// Output:
	// image     nginx:1.25
	// policy    Never (set explicitly)
	// node      no images (give --present or --runtime)
	// decision  Fail ErrImageNeverPull
	// event     Warning ErrImageNeverPull: Container image "nginx:1.25" is not present with pull policy of Never
	// exit code 1
}

func Example_explain() {
	pod := `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  initContainers: [{name: init, image: "busybox:1.36"}]
  containers: [{name: web, image: nginx}]
`
	a := newApp(strings.NewReader(pod), os.Stdout, os.Stdout, false)
	a.run(context.Background(), []string{"explain", "-f", "-", "--present", "busybox:1.36"})
	// Output:
	// node: holds busybox:1.36
	//
	// Pod shop/web  (-:1)
	//   init container init: busybox:1.36
	//     policy   IfNotPresent (tag 1.36 → IfNotPresent)
	//     use      Normal Pulled: Container image "busybox:1.36" already present on machine and can be accessed by the pod
	//   container web: nginx
	//     policy   Always (no tag → Always)
	//     pull     Normal Pulling: Pulling image "nginx"
	//              the runtime is asked for nginx:latest
	//
	// 2 images in 1 workload: 1 pulled, 1 already on the node, 0 failing
}

func Example_lint() {
	pod := `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers: [{name: web, image: "nginx:latest", imagePullPolicy: IfNotPresent}]
`
	a := newApp(strings.NewReader(pod), os.Stdout, os.Stdout, false)
	a.run(context.Background(), []string{"lint", "-f", "-", "--rule", "mutable-tag=off", "--fail-on", "never"})
	// Output:
	// -:5: error IP003 ifnotpresent-mutable-tag: Pod shop/web, container web (nginx:latest): imagePullPolicy is IfNotPresent with the tag latest: each node keeps the build it pulled first
	//   fix: Pin a version tag or a digest; if the tag must float, use imagePullPolicy: Always.
	// 1 finding: 1 error, 0 warnings, 0 notes
}
