package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLintTrees lints trees as real repositories hold them: a kustomize base and overlay
// (rendered, findings in the files the objects were written in), a Helm chart (skipped with
// how to lint it), and YAML that is no Kubernetes object (counted in a note; --strict fails).
func TestLintTrees(t *testing.T) {
	const chartNote = "imagepull lint: skipped testdata/trees/chart: a Helm chart (Chart.yaml): render it and lint the objects: " +
		"helm template testdata/trees/chart | imagepull lint -f -\n"
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		golden string   // of stdout, when set
		stdout []string // lines stdout contains
		stderr string
	}{
		{name: "the tree", args: []string{"-f", "testdata/trees", "-R"}, code: exitFailure, golden: "lint-trees.text",
			stderr: chartNote + "imagepull lint: skipped 3 documents that are not Kubernetes objects, in 2 files (--strict fails on them)\n"},
		{name: "a base, without kind", args: []string{"-f", "testdata/trees/app/base"}, code: exitFailure,
			stdout: []string{"testdata/trees/app/base/deploy.yaml:17: warning IP001 policy-not-set: Deployment web, container sidecar (docker.io/library/busybox:1.36)"}},
		{name: "an overlay's images override", args: []string{"-f", "testdata/trees/app/overlays/prod/kustomization.yaml", "--rule", "IP001=off"}, code: exitFailure,
			stdout: []string{
				"testdata/trees/app/base/deploy.yaml:14: warning IP002 mutable-tag: Deployment shop/prod-web, container web (registry.example.com/shop/web:latest)",
				"testdata/trees/app/base/deploy.yaml:15: error IP003 ifnotpresent-mutable-tag: Deployment shop/prod-web",
				"testdata/trees/app/overlays/prod/job.yaml:11: warning IP002 mutable-tag: Job shop/prod-migrate",
			}},
		{name: "not objects", args: []string{"-f", "testdata/trees/ci"}, code: exitOK,
			stderr: "imagepull lint: skipped 3 documents that are not Kubernetes objects, in 2 files (--strict fails on them)\n"},
		{name: "not objects, strict", args: []string{"-f", "testdata/trees/ci", "--strict"}, code: exitUsage,
			stderr: "imagepull lint: testdata/trees/ci/values.yaml: document 1 (line 1): malformed document: object has no \"kind\"\n" +
				"imagepull lint: testdata/trees/ci/values.yaml: document 2 (line 3): malformed document: not a Kubernetes object: a YAML sequence\n" +
				"imagepull lint: testdata/trees/ci/workflow.yaml: document 1 (line 2): malformed document: object has no \"kind\"\n"},
		{name: "a chart's template", args: []string{"-f", "testdata/trees/chart/templates/deploy.yaml"}, code: exitOK, stderr: chartNote},
		{name: "a chart, strict", args: []string{"-f", "testdata/trees/chart", "--strict"}, code: exitUsage,
			stderr: "imagepull lint: testdata/trees/chart: a Helm chart (Chart.yaml): render it and lint the objects: helm template testdata/trees/chart | imagepull lint -f - (--strict)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, append([]string{"lint"}, tc.args...)...)
			assert.Equal(t, tc.code, res.code, res.stderr)
			assert.Equal(t, tc.stderr, res.stderr)
			if tc.golden != "" {
				golden(t, tc.golden, res.stdout)
			}
			for _, line := range tc.stdout {
				assert.Contains(t, res.stdout, line)
			}
		})
	}
}

// TestLintTreesJSON: a rendered object's findings name the source file, its document and the
// line of the field there, with the object and image as rendered.
func TestLintTreesJSON(t *testing.T) {
	res := run(t, "lint", "-f", "testdata/trees/app/overlays/prod", "-o", "json", "--rule", "IP001=off", "--rule", "IP008=off", "--rule", "IP003=off")
	require.Equal(t, exitFailure, res.code, res.stderr)
	var out struct {
		Findings []struct {
			Rule, File, Image string
			Document, Line    int
			Object            struct{ Kind, Namespace, Name string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &out), res.stdout)
	type loc struct {
		Rule, File, Image, Object string
		Document, Line            int
	}
	var got []loc
	for _, f := range out.Findings {
		got = append(got, loc{f.Rule, f.File, f.Image, f.Object.Kind + " " + f.Object.Namespace + "/" + f.Object.Name, f.Document, f.Line})
	}
	assert.Equal(t, []loc{
		{"IP002", "testdata/trees/app/base/deploy.yaml", "registry.example.com/shop/web:latest", "Deployment shop/prod-web", 1, 14},
		{"IP002", "testdata/trees/app/overlays/prod/job.yaml", "registry.example.com/shop/migrate", "Job shop/prod-migrate", 1, 11},
	}, got)
}

// TestLintTreesBrokenKustomization: a kustomization kustomize rejects is reported after the
// findings of the rest, with exit code 2, as a malformed document is.
func TestLintTreesBrokenKustomization(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken")
	require.NoError(t, os.Mkdir(broken, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(broken, "kustomization.yaml"), []byte("resources: [missing.yaml]\n"), 0o644))
	pod, err := os.ReadFile("testdata/trees/app/overlays/prod/job.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "job.yaml"), pod, 0o644))

	res := run(t, "lint", "-f", dir, "-R")
	assert.Equal(t, exitUsage, res.code)
	assert.Contains(t, res.stdout, filepath.Join(dir, "job.yaml")+":11: warning IP002 mutable-tag", "the rest is linted")
	assert.Contains(t, res.stderr, "imagepull lint: "+filepath.Join(broken, "kustomization.yaml")+": document 1 (line 1): malformed document: "+broken+": kustomize: ")
	assert.Contains(t, res.stderr, "missing.yaml")
}
