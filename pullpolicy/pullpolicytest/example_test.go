package pullpolicytest_test

import (
	"context"
	"fmt"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/pullpolicytest"
	"github.com/imagepull/imagepull/reference"
)

// A table test of pull decisions in about ten lines: a node filled from image names, a
// registry from a map, and one Decide per row.
func Example_tableTest() {
	node := cache.NewStore()
	_ = node.Add(pullpolicy.LocalImage{RepoTags: []string{"nginx:1.25"}, RepoDigests: []string{"nginx@sha256:" + sixtyFour("a")}})
	registry := pullpolicytest.NewResolver(map[string]string{"nginx:1.25": "sha256:" + sixtyFour("b"), "redis:7": "sha256:" + sixtyFour("c")})
	for _, row := range []struct{ policy, image string }{
		{"IfNotPresent", "nginx:1.25"}, {"Never", "redis:7"}, {"Always", "nginx:1.25"}, {"", "redis"},
	} {
		d, err := pullpolicy.Decide(context.Background(), pullpolicy.Policy(row.policy), reference.MustParse(row.image), node, registry)
		fmt.Printf("%-12s %-10s %-8s %v\n", d.Policy, row.image, d.Action, err != nil)
	}
	// Output:
	// IfNotPresent nginx:1.25 UseLocal false
	// Never        redis:7    Fail     true
	// Always       nginx:1.25 Pull     false
	// Always       redis      Fail     true
}

func sixtyFour(c string) string {
	s := ""
	for len(s) < 64 {
		s += c
	}
	return s
}
