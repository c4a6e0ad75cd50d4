package plugin

import (
	"os"
	"os/exec"
	"sync/atomic"
)

// containment keeps the descendants of a plugin from outliving its run, beyond its process
// group, which a descendant leaves by calling setsid. On Linux:
//
//   - When the process may create PID namespaces (CAP_SYS_ADMIN: the kubelet's case, as root),
//     each run starts in a new one. The plugin is the namespace's init; when it exits or is
//     killed, the kernel kills everything else in the namespace, and its exit waits for them,
//     so nothing survives the run, whatever it did.
//   - Otherwise (the namespace is refused with EPERM or EINVAL once, and then no longer tried),
//     each run carries a random marker in its environment, which descendants inherit. When the
//     run ends, every process whose environment holds the marker is killed, until none is left.
//     A descendant that clears its environment, or that runs as another user (whose environment
//     cannot be read), escapes this.
//
// Nothing here is process-wide. A child subreaper (prctl PR_SET_CHILD_SUBREAPER) was rejected:
// it would make the embedding process the parent of the orphans of every child it has, its
// own and other code's, to be reaped by it, and reaping them would steal the exit statuses
// other code waits for. Elsewhere only the process group is killed.
type containment struct {
	noNamespace atomic.Bool // a PID namespace was refused: use the environment marker
}

// tracked is what a started run leaves to kill when it ends.
type tracked struct {
	marker string // the environment entry of the run's processes; "" when none is needed
}

// kill kills the run's processes that are still alive, outside its process group.
func (t tracked) kill() {
	if t.marker != "" {
		sweep(t.marker)
	}
}

// start starts a command of newCmd writing to stdout and stderr, in a new PID namespace when
// it can, else with a marker in its environment.
func (c *containment) start(newCmd func() *exec.Cmd, stdout, stderr *os.File) (*exec.Cmd, tracked, error) {
	nsRefused := false
	if pidNamespaces && !c.noNamespace.Load() {
		cmd := newCmd()
		cmd.Stdout, cmd.Stderr = stdout, stderr
		inNamespace(cmd)
		err := cmd.Start()
		if err == nil {
			return cmd, tracked{}, nil
		}
		if !namespaceRefused(err) {
			return nil, tracked{}, err
		}
		nsRefused = true
	}
	cmd := newCmd()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	t := tracked{marker: mark(cmd)}
	if err := cmd.Start(); err != nil {
		return nil, tracked{}, err
	}
	if nsRefused {
		// Only the namespace failed: the same binary started without one.
		c.noNamespace.Store(true)
	}
	return cmd, t, nil
}
