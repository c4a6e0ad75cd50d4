//go:build linux

package plugin_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential/plugin"
)

// TestPluginDescendantsAreKilled: a plugin that leaves a process behind holding its stdout
// still answers, and that process is killed when the run ends.
func TestPluginDescendantsAreKilled(t *testing.T) {
	calls, _ := callLog(t)
	cfg := &plugin.Config{Providers: []plugin.ProviderConfig{providerConfig("p", []string{"reg.io"}, "-output", "child", "-calls", calls)}}
	p, err := plugin.NewProvider(cfg, binDir(t, "p"))
	require.NoError(t, err)
	creds, err := p.Lookup(t.Context(), request)
	require.NoError(t, err)
	require.Len(t, creds, 1)
	b, err := os.ReadFile(calls + ".child")
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return !alive(pid) }, 10*time.Second, 10*time.Millisecond, "the plugin's child %d is gone", pid)
}

// alive reports whether process pid exists and is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat))
	return len(fields) > 2 && fields[2] != "Z"
}

// TestPluginEscapedDescendantsAreKilled (issue 18, item 8): a plugin whose child calls setsid
// (or whose child's own child is orphaned at once) leaves the process group; the run still
// ends with none of them alive, in a PID namespace of its own where the process may create
// one, and through the environment sweep where it may not.
func TestPluginEscapedDescendantsAreKilled(t *testing.T) {
	for _, mode := range []string{"pid namespace", "environment sweep"} {
		for _, output := range []string{"child", "setsid-child", "setsid-grandchild"} {
			t.Run(mode+"/"+output, func(t *testing.T) {
				calls, _ := callLog(t)
				cfg := &plugin.Config{Providers: []plugin.ProviderConfig{providerConfig("p", []string{"reg.io"}, "-output", output, "-calls", calls)}}
				p, err := plugin.NewProvider(cfg, binDir(t, "p"))
				require.NoError(t, err)
				if mode == "environment sweep" {
					plugin.DisablePIDNamespaces(p)
				}
				creds, err := p.Lookup(t.Context(), request)
				require.NoError(t, err)
				require.Len(t, creds, 1)
				if mode == "pid namespace" && !plugin.UsesPIDNamespaces(p, "p") {
					t.Skip("SKIP: this process may not create PID namespaces; the environment sweep ran")
				}
				pids := []int{readPID(t, calls+".child")}
				if output == "setsid-grandchild" {
					pids = append(pids, readPID(t, calls+".grand.child"))
				}
				for _, pid := range pids {
					t.Cleanup(func() { // a survivor would sleep for an hour
						if alive(pid) {
							_ = syscall.Kill(pid, syscall.SIGKILL)
						}
					})
					assert.False(t, alive(pid), "the plugin's descendant %d is gone when the run ends", pid)
				}
			})
		}
	}
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	return pid
}
