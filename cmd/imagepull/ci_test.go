package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// TestPreCommitHooks validates .pre-commit-hooks.yaml against the pre-commit framework's
// manifest schema (pre-commit 3.x, clientlib.py MANIFEST_HOOK_DICT: id, name, entry and
// language required, the other keys from its list), and runs each hook's entry as pre-commit
// does, with file names appended. .ci/pre-commit.sh runs pre-commit itself on the hook.
func TestPreCommitHooks(t *testing.T) {
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	require.NoError(t, err)
	var hooks []map[string]any
	require.NoError(t, yaml.Unmarshal(data, &hooks))
	require.NotEmpty(t, hooks)
	known := []string{"id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or", "exclude_types",
		"additional_dependencies", "args", "always_run", "fail_fast", "pass_filenames", "description", "language_version",
		"log_file", "minimum_pre_commit_version", "require_serial", "stages", "verbose"}
	languages := []string{"conda", "coursier", "dart", "docker", "docker_image", "dotnet", "fail", "golang", "haskell", "lua",
		"node", "perl", "pygrep", "python", "r", "ruby", "rust", "script", "swift", "system"}
	tags := []string{"yaml", "json", "text", "file"} // identify's tags this hook may use
	for _, h := range hooks {
		for k := range h {
			assert.Contains(t, known, k, "hook key")
		}
		for _, k := range []string{"id", "name", "entry", "language"} {
			require.IsType(t, "", h[k], "%s is a required string", k)
			require.NotEmpty(t, h[k], k)
		}
		assert.Contains(t, languages, h["language"])
		for _, k := range []string{"types", "types_or"} {
			if v, ok := h[k]; ok {
				for _, tag := range v.([]any) {
					assert.Contains(t, tags, tag)
				}
			}
		}
		if f, ok := h["files"].(string); ok {
			_, err := regexp.Compile(f)
			assert.NoError(t, err)
		}
		// The entry, with files appended as pre-commit appends them.
		entry := strings.Fields(h["entry"].(string))
		require.Equal(t, "imagepull", entry[0], "language golang installs the imagepull command")
		res := run(t, append(entry[1:], "../../examples/manifests/shop.yaml", "testdata/manifests/seed-pods.yaml")...)
		assert.Equal(t, exitFailure, res.code, "the hook fails on findings: %s", res.stderr)
		assert.Contains(t, res.stdout, "../../examples/manifests/shop.yaml:")
		assert.Contains(t, res.stdout, "testdata/manifests/seed-pods.yaml:")
	}
}

// TestREADMEInCI: the README's "In CI" section names the hook that .pre-commit-hooks.yaml
// defines and the files this repository holds.
func TestREADMEInCI(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n## In CI\n")
	require.True(t, ok, "the README has an In CI section")
	section, _, _ = strings.Cut(section, "\n## ")
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	require.NoError(t, err)
	var hooks []struct{ ID string }
	require.NoError(t, yaml.Unmarshal(data, &hooks))
	require.NotEmpty(t, hooks)
	assert.Contains(t, section, "- id: "+hooks[0].ID)
	for _, file := range []string{"examples/ci/imagepull-lint.yml", "Dockerfile", ".pre-commit-hooks.yaml"} {
		assert.Contains(t, section, file)
		assert.FileExists(t, "../../"+file)
	}
}

// TestExampleWorkflow validates examples/ci/imagepull-lint.yml as a GitHub Actions workflow:
// the keys GitHub requires (on, jobs, runs-on, steps with uses or run), the permission
// upload-sarif needs, the upload of the file the lint step writes, and a lint command that
// this binary accepts.
func TestExampleWorkflow(t *testing.T) {
	data, err := os.ReadFile("../../examples/ci/imagepull-lint.yml")
	require.NoError(t, err)
	var wf struct {
		Name        string
		On          map[string]any    `yaml:"on"`
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			RunsOn      string            `yaml:"runs-on"`
			Permissions map[string]string `yaml:"permissions"`
			Steps       []struct {
				ID   string            `yaml:"id"`
				If   string            `yaml:"if"`
				Name string            `yaml:"name"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			}
		}
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&wf))
	require.NotEmpty(t, wf.Name)
	require.NotEmpty(t, wf.On, "on: the events")
	require.Len(t, wf.Jobs, 1)
	for _, job := range wf.Jobs {
		require.NotEmpty(t, job.RunsOn)
		assert.Equal(t, "write", job.Permissions["security-events"], "upload-sarif needs security-events: write")
		var sarifFile, lintLine string
		uploads := 0
		for _, s := range job.Steps {
			assert.True(t, (s.Uses == "") != (s.Run == ""), "a step has uses or run: %+v", s)
			if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
				uploads++
				sarifFile = s.With["sarif_file"]
			}
			for _, line := range strings.Split(s.Run, "\n") {
				if strings.Contains(line, "imagepull\" lint ") {
					lintLine = line
				}
			}
		}
		require.Equal(t, 1, uploads, "one upload-sarif step")
		require.NotEmpty(t, lintLine, "a step runs imagepull lint")
		command, out, ok := strings.Cut(lintLine, " > ")
		require.True(t, ok, "the lint step writes a file: %q", lintLine)
		assert.Equal(t, sarifFile, strings.TrimSpace(out), "the file uploaded is the one written")
		args := strings.Fields(command)[1:]
		require.Contains(t, args, "sarif")
		// The same flags, on this repository's manifests, give SARIF.
		args[slices.Index(args, "k8s/")] = "../../examples/manifests"
		res := run(t, args...)
		assert.Equal(t, exitFailure, res.code, res.stderr)
		assert.Contains(t, res.stdout, `"version": "2.1.0"`)
	}
}

// TestDockerfile checks the Dockerfile's shape: multi-stage, a static build (CGO_ENABLED=0),
// an empty final base, a non-root numeric user and the command as entry point.
// .ci/pre-commit.sh builds it when a container builder is available.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	var froms, users []string
	var entrypoint string
	static := false
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "FROM":
			froms = append(froms, f[1])
		case "USER":
			users = append(users, f[1])
		case "ENTRYPOINT":
			entrypoint = strings.Join(f[1:], " ")
		case "RUN":
			static = static || strings.Contains(line, "CGO_ENABLED=0 go build")
		}
	}
	require.GreaterOrEqual(t, len(froms), 2, "multi-stage")
	assert.Equal(t, "scratch", froms[len(froms)-1], "the final stage is empty: the static binary alone")
	assert.True(t, static, "CGO_ENABLED=0: a static binary")
	require.NotEmpty(t, users)
	user, _, _ := strings.Cut(users[len(users)-1], ":")
	assert.Regexp(t, `^[1-9][0-9]*$`, user, "a numeric non-root user (Kubernetes runAsNonRoot can verify it)")
	assert.Equal(t, `["/imagepull"]`, entrypoint)
}
