package lint_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/lint"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Lint a manifest and decide the exit code of a CI step.
func ExampleLinter_Manifest() {
	manifest := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:latest
        imagePullPolicy: IfNotPresent
`
	m, err := kube.Read(strings.NewReader(manifest), kube.Options{File: "web.yaml"})
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := lint.New(lint.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	findings := l.Manifest(m)
	for _, f := range findings {
		fmt.Printf("%s:%d %s %s %s\n", f.File, f.Line, f.Severity, f.Rule, f.Message)
	}
	fmt.Println("fail the build:", lint.Reaches(findings, lint.Error))
	// Output:
	// web.yaml:10 warning IP002 the image uses the tag latest, which moves with every push
	// web.yaml:11 error IP003 imagePullPolicy is IfNotPresent with the tag latest: each node keeps the build it pulled first
	// fail the build: true
}

// Enforce one policy cluster-wide, as the AlwaysPullImages admission plugin would, and
// quiet a rule; print the report for a person.
func ExampleConfig() {
	cfg, err := lint.ParseConfig([]byte("requirePolicy: Always\nrules:\n  policy-not-set: off\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.RequirePolicy == pullpolicy.Always, cfg.Disabled)
	l, err := lint.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := kube.Read(strings.NewReader("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: \"app:1.2\"}\n"), kube.Options{File: "pod.yaml"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := lint.WriteText(os.Stdout, l.Manifest(m)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// true [IP001]
	// pod.yaml:6: error IP009 required-policy: Pod p, container c (app:1.2): imagePullPolicy is IfNotPresent (by default), but Always is required
	//   fix: Set imagePullPolicy to the required policy.
	// 1 finding: 1 error, 0 warnings, 0 notes
}
