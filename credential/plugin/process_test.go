//go:build linux

package plugin_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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
