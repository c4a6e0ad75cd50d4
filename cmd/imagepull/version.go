package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

func versionCommand() *command {
	return &command{
		name:    "version",
		summary: "print the module version, VCS revision and Go version of this binary",
		help: `Version prints what the Go toolchain recorded in the binary when it was built
(runtime/debug.ReadBuildInfo), as kubectl version --client and kube-linter version do: the
module's version (a tag, or a pseudo-version v0.0.0-DATE-REVISION built from a clone, with
+dirty for uncommitted changes; "(devel)" when the toolchain recorded none), the VCS
revision and its time, whether the tree had uncommitted changes, and the Go version and
platform. imagepull --version prints the same.`,
		examples: []example{
			{"imagepull version", "the version, revision and Go version"},
			{"imagepull version -o json", "the same as a JSON object, for scripts"},
		},
		minArgs: 0, maxArgs: 0,
		newRunner: func() runner { return &versionRunner{} },
	}
}

type versionRunner struct{ out *formatFlag }

func (r *versionRunner) flags(fs *flagSet) { r.out = fs.output("text", "json") }

func (r *versionRunner) run(_ context.Context, a *app, _ []string) error {
	v := readVersion()
	if r.out.value == "json" {
		return writeJSON(a.stdout, v)
	}
	return v.writeText(a.stdout)
}

// versionInfo is what the binary knows about its build.
type versionInfo struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// readVersion reads the build info the toolchain embedded: Main.Version (a tag or a
// pseudo-version derived from the VCS when built with go build or go install in a clone, Go
// 1.24 and later) and the vcs.* settings. A binary without build info says "unknown".
func readVersion() versionInfo {
	v := versionInfo{Module: "github.com/imagepull/imagepull", Version: "unknown", Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Path != "" {
		v.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	v.Go = bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func (v versionInfo) writeText(w io.Writer) error {
	rev := v.Revision
	switch {
	case rev == "":
		rev = "unknown (built without VCS information)"
	case v.Modified:
		rev += " (modified)"
	}
	if v.Time != "" {
		rev += ", " + v.Time
	}
	_, err := fmt.Fprintf(w, "imagepull %s\n  module:   %s\n  revision: %s\n  go:       %s %s\n",
		v.Version, v.Module, rev, v.Go, v.Platform)
	return err
}
