package kubeletdiff

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writerOps fill a records directory with every spelling and every kind of credential: a
// successful pull of each image string (credentials and image IDs rotating through the
// tables), Secrets merged into existing entries, pulls left in flight (their intents stay),
// and one failed pull.
func writerOps() []op {
	var ops []op
	for i := range imageTable {
		ops = append(ops, op{kind: opCycle, a: byte(i), b: byte(i % 3), c: byte(i % len(credsTable))})
	}
	for i := range imageTable {
		ops = append(ops, op{kind: opCycle, a: byte(i), b: byte(i % 3), c: byte((i + 5) % len(credsTable))})
	}
	return append(ops,
		intent("nginx"),
		intent("docker.io/library/busybox@"+digest1),
		intent("test.io/test/test-image"),
		failed("test.io/test/test-image"),
	)
}

// write applies ops to one side alone.
func write(t *testing.T, s side, ops []op) {
	t.Helper()
	for _, o := range ops {
		switch o.kind {
		case opIntent:
			require.NoError(t, s.intent(o.image()))
		case opPulled:
			s.pulled(o.image(), o.ref(), o.creds().c)
		case opCycle:
			require.NoError(t, s.intent(o.image()))
			s.pulled(o.image(), o.ref(), o.creds().c)
		case opFailed:
			s.failed(o.image())
		default:
			t.Fatalf("not a writing op: %v", o)
		}
	}
}

// copyDir copies the records under src/image_manager to dst/image_manager.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	base := filepath.Join(src, "image_manager")
	err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(base, path)
		target := filepath.Join(dst, "image_manager", rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
	require.NoError(t, err)
}

// queries are every must-pull check of the tables: each image string against each image ID
// with each pod's credentials, under each policy (allowlist: docker.io/library/*), then the
// runtime's images listed at a restart.
func queries() []op {
	var ops []op
	for p := range policyTable {
		if p > 0 {
			ops = append(ops, restart(true, false, policyTable[p], allowDockerLib, 0))
		}
		for i := range imageTable {
			for r := range refTable[:3] {
				for c := range podCredsTable {
					ops = append(ops, op{kind: opMust, a: byte(i), b: byte(r), c: byte(c)})
				}
			}
		}
	}
	return append(ops, restart(false, false, "AlwaysVerify", allowNone, allImages),
		must("nginx", ref2, "none"), must("docker.io/library/busybox@"+digest1, ref0, "none"))
}

// TestCrossRead opens a directory written by one side alone with both sides (each on its own
// copy) and requires the same answers to every query, and the same files after each, as the
// kubelet would give on the directory it wrote. Both ways: written by the kubelet's code and
// read here; written here (stopped cleanly, or as by a crash) and read by the kubelet's code.
func TestCrossRead(t *testing.T) {
	tests := []struct {
		name   string
		writer opener
		clean  bool
	}{
		{"written by the kubelet", openKubelet, true},
		{"written here, clean stop", openOurs, true},
		{"written here, crash", openOurs, false},
	}
	start := config{policy: "NeverVerify"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := tt.writer(filepath.Join(dir, "writer"), start, nil)
			require.NoError(t, err)
			write(t, w, writerOps())
			require.NoError(t, w.shutdown(tt.clean))
			roots := [2]string{filepath.Join(dir, "kubelet"), filepath.Join(dir, "ours")}
			for _, root := range roots {
				copyDir(t, filepath.Join(dir, "writer"), root)
			}
			p, err := newPairAt(roots, start, nil, openKubelet, openOurs)
			require.NoError(t, err)
			for _, o := range queries() {
				require.NoError(t, p.step(o))
			}
		})
	}
}
