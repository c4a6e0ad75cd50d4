package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHelp: every command answers --help, -h and "help CMD" on stdout with exit 0, with its
// synopsis, its -o flag and at least one example that is a command line of that command.
func TestHelp(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}, {c.name, "x", "--help"}} {
				res := run(t, args...)
				require.Equal(t, exitOK, res.code, "%v: %s", args, res.stderr)
				assert.Empty(t, res.stderr)
				assert.Contains(t, res.stdout, "Usage:\n  imagepull "+c.name)
				assert.Contains(t, res.stdout, "-o, --output FORMAT")
				assert.Contains(t, res.stdout, "Examples:\n")
				assert.Contains(t, res.stdout, "\n  imagepull "+c.name+" ")
			}
		})
	}
	top := run(t, "--help")
	require.Equal(t, exitOK, top.code)
	for _, c := range commands() {
		assert.Contains(t, top.stdout, "  "+c.name+" ")
	}
}

// TestUsageErrors: a mistake in the command line is one line on stderr, nothing on stdout,
// and exit code 2.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // the error line
	}{
		{[]string{"frobnicate"}, `imagepull: unknown command "frobnicate" (see 'imagepull --help')`},
		{[]string{"help", "frobnicate"}, `imagepull help: unknown command "frobnicate" (see 'imagepull --help')`},
		{[]string{"decide"}, `imagepull decide: missing IMAGE (see 'imagepull decide --help')`},
		{[]string{"decide", "a", "b"}, `imagepull decide: unexpected argument "b" (see 'imagepull decide --help')`},
		{[]string{"decide", "nginx", "--bogus"}, `imagepull decide: flag provided but not defined: --bogus (see 'imagepull decide --help')`},
		{[]string{"decide", "nginx", "--policy"}, `imagepull decide: flag needs an argument: --policy (see 'imagepull decide --help')`},
		{[]string{"decide", "nginx", "--policy", "always"}, `imagepull decide: --policy: Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never" (see 'imagepull decide --help')`},
		{[]string{"decide", "nginx", "-o", "yaml"}, `imagepull decide: invalid value "yaml" for flag -o: unknown output format "yaml": use text, json (see 'imagepull decide --help')`},
		{[]string{"decide", "nginx", "--present", "a", "--runtime", "/x.sock"}, `imagepull decide: --present and --runtime are exclusive: the node's images come from one of them (see 'imagepull decide --help')`},
		{[]string{"decide", "nginx", "--present", "Foo"}, `imagepull decide: --present: couldn't parse image name "Foo": invalid reference format: repository name (library/Foo) must be lowercase (see 'imagepull decide --help')`},
		{[]string{"decide", "nginx", "--present", "a,,b"}, `imagepull decide: invalid value "a,,b" for flag --present: empty value (see 'imagepull decide --help')`},
		{[]string{"decide", "nginx", "--plain-http", "h"}, `imagepull decide: --plain-http needs --registry (see 'imagepull decide --help')`},
		{[]string{"decide", "nginx", "--docker-config", "f"}, `imagepull decide: registry credentials (--docker-config, --image-credential-provider-*) need --registry (see 'imagepull decide --help')`},
		{[]string{"resolve", "nginx", "--image-credential-provider-config", "f"}, `imagepull resolve: --image-credential-provider-config and --image-credential-provider-bin-dir go together (see 'imagepull resolve --help')`},
		{[]string{"resolve", "nginx", "--image-credential-provider-config", "/does/not/exist.yaml", "--image-credential-provider-bin-dir", "/"}, `imagepull resolve: `},
		{[]string{"explain"}, `imagepull explain: no input: give -f FILE, -f DIR or -f - (standard input) (see 'imagepull explain --help')`},
		{[]string{"explain", "-f", "/does/not/exist.yaml"}, `imagepull explain: /does/not/exist.yaml: no such file or directory`},
		{[]string{"explain", "-f", "-", "-f", "-"}, `imagepull explain: standard input (-f -) can be read once (see 'imagepull explain --help')`},
		{[]string{"explain", "-f", "x", "--records", "/does/not/exist"}, `imagepull explain: --records: stat /does/not/exist: no such file or directory`},
		{[]string{"explain", "extra"}, `imagepull explain: unexpected argument "extra" (see 'imagepull explain --help')`},
		{[]string{"lint", "-f", "x", "--require-policy", "always"}, `imagepull lint: --require-policy: Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never" (see 'imagepull lint --help')`},
		{[]string{"lint", "-f", "x", "--rule", "IP999=off"}, `imagepull lint: --rule IP999=off: invalid lint configuration: unknown rule "IP999": want an ID or a name: IP001 (policy-not-set), IP002 (mutable-tag), IP003 (ifnotpresent-mutable-tag), IP004 (always-digest), IP005 (policy-never), IP006 (tag-and-digest), IP007 (invalid-image), IP008 (private-registry-no-pull-secrets), IP009 (required-policy), IP010 (invalid-policy), IP011 (unserved-api-version) (see 'imagepull lint --help')`},
		{[]string{"lint", "-f", "x", "--rule", "IP001"}, `imagepull lint: --rule "IP001": want ID=SEVERITY (note, warning, error or off) (see 'imagepull lint --help')`},
		{[]string{"lint", "-f", "x", "--rule", "IP001=fatal"}, `imagepull lint: --rule IP001=fatal: invalid lint configuration: rule IP001: invalid severity "fatal": want note, warning, error, off or on (see 'imagepull lint --help')`},
		{[]string{"lint", "-f", "x", "--fail-on", "sometimes"}, `imagepull lint: --fail-on: invalid severity "sometimes": want note, warning, error or never (see 'imagepull lint --help')`},
		{[]string{"lint", "-f", "x", "--kubernetes-version", "2"}, `imagepull lint: --kubernetes-version: invalid Kubernetes version "2": want 1.MINOR, such as 1.37, v1.16 or 1.25.3 (see 'imagepull lint --help')`},
		{[]string{"lint", "-f", "x", "--config", "/does/not/exist.yaml"}, `imagepull lint: --config: open /does/not/exist.yaml: no such file or directory`},
		{[]string{"lint", "-f", "x", "-o", "yaml"}, `imagepull lint: invalid value "yaml" for flag -o: unknown output format "yaml": use text, json, sarif (see 'imagepull lint --help')`},
		{[]string{"decide", "nginx", "--runtime", "/does/not/exist.sock"}, `imagepull decide: --runtime: `},
		{[]string{"decide", "nginx", "--registry", "--docker-config", "/does/not/exist.json"}, `imagepull decide: --docker-config: `},
		{[]string{"resolve", "Foo"}, `imagepull resolve: couldn't parse image name "Foo": invalid reference format: repository name (library/Foo) must be lowercase (see 'imagepull resolve --help')`},
		{[]string{"records"}, `imagepull records: missing DIR (see 'imagepull records --help')`},
		{[]string{"webhook", "--addr=127.0.0.1:0"}, `imagepull webhook: --tls-cert-file and --tls-private-key-file are required: the API server calls webhooks over HTTPS only (see 'imagepull webhook --help')`},
		{[]string{"webhook", "--nope"}, `imagepull webhook: flag provided but not defined: --nope (see 'imagepull webhook --help')`},
		{[]string{"webhook", "extra"}, `imagepull webhook: unexpected argument "extra" (see 'imagepull webhook --help')`},
		{[]string{"webhook", "--tls-cert-file", "/does/not/exist.crt", "--tls-private-key-file", "/does/not/exist.key"}, `imagepull webhook: `},
		{[]string{"webhook", "--tls-cert-file", "c", "--tls-private-key-file", "k", "--read-timeout", "-1s"}, `imagepull webhook: `},
		{[]string{"records", "/does/not/exist"}, `imagepull records: no pull records directory /does/not/exist`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			res := run(t, tc.args...)
			assert.Equal(t, exitUsage, res.code)
			assert.Empty(t, res.stdout)
			require.Equal(t, 1, strings.Count(res.stderr, "\n"), "one line: %q", res.stderr)
			assert.True(t, strings.HasPrefix(res.stderr, tc.want), "got %q", res.stderr)
		})
	}
	t.Run("no command", func(t *testing.T) {
		res := run(t)
		assert.Equal(t, exitUsage, res.code)
		assert.Empty(t, res.stdout)
		assert.Contains(t, res.stderr, "Usage:\n  imagepull <command>")
	})
}
