package kubeletdiff

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the seed corpus from the scenarios")

// FuzzDifferential decodes the input into a configuration and up to 64 steps, runs them on the
// kubelet's pull manager and on this library's side by side, and fails at the first
// difference in an answer or in the records directories, printing the steps that led to it.
// Its seed corpus is the named scenarios.
func FuzzDifferential(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := run(t.TempDir(), decode(data), openKubelet, openOurs); err != nil {
			t.Fatal(err)
		}
	})
}

// TestScenarios replays the named scenarios, readable, one subtest each.
func TestScenarios(t *testing.T) {
	for _, name := range scenarioNames() {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, run(t.TempDir(), scenarios[name], openKubelet, openOurs))
		})
	}
}

func scenarioNames() []string {
	names := make([]string, 0, len(scenarios))
	for name := range scenarios {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

const corpusDir = "testdata/fuzz/FuzzDifferential"

func corpusFile(data []byte) []byte {
	return fmt.Appendf(nil, "go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
}

// TestSeedCorpus checks that the checked-in seed corpus is exactly the scenarios, encoded
// (go test -run TestSeedCorpus -update rewrites it), and that decoding gives them back.
func TestSeedCorpus(t *testing.T) {
	if *update {
		require.NoError(t, os.RemoveAll(corpusDir))
		require.NoError(t, os.MkdirAll(corpusDir, 0o755))
	}
	for _, name := range scenarioNames() {
		s := scenarios[name]
		want := corpusFile(s.encode())
		path := filepath.Join(corpusDir, name)
		if *update {
			require.NoError(t, os.WriteFile(path, want, 0o644))
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -run TestSeedCorpus -update")
		require.Equal(t, string(want), string(got), "%s is stale: run go test -run TestSeedCorpus -update", path)
		require.Equal(t, s, decode(s.encode()), name)
	}
	entries, err := os.ReadDir(corpusDir)
	require.NoError(t, err)
	require.Len(t, entries, len(scenarios), "the corpus holds files that are no scenario")
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want sequence
	}{
		{"empty", nil, sequence{}},
		{"header only", []byte{3, 5}, sequence{policy: 3, allowlist: 5}},
		{"short tail dropped", []byte{0, 0, 1, 2, 3, 4, 9, 9}, sequence{ops: []op{{kind: opPulled, a: 2, b: 3, c: 4}}}},
		{"kind wraps", []byte{0, 0, byte(opKinds) + 2, 1, 1, 1}, sequence{ops: []op{{kind: opFailed, a: 1, b: 1, c: 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, decode(tt.data))
		})
	}
	long := make([]byte, 2+opSize*(maxOps+5))
	require.Len(t, decode(long).ops, maxOps)
}

// randomEnv sets how many random sequences TestRandomSequences runs (default 200; CI sets
// more). A fuzz run finds more per second, but instrumenting the k8s.io graph for it costs a
// quarter of an hour of compilation on a cold build; this test needs none.
const randomEnv = "IMAGEPULL_DIFF_RANDOM"

// TestRandomSequences runs random inputs through the differential, without the fuzzer's
// instrumentation. The seed is logged; a failing input is printed as a corpus file to keep
// under testdata/fuzz/FuzzDifferential, where FuzzDifferential and this test replay it.
func TestRandomSequences(t *testing.T) {
	n := 200
	if v, err := strconv.Atoi(os.Getenv(randomEnv)); err == nil && v >= 0 {
		n = v
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("%d random sequences, seed %d", n, seed)
	rng := rand.New(rand.NewPCG(seed, 17))
	for i := range n {
		data := make([]byte, 2+opSize*(1+rng.IntN(maxOps)))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		if err := run(t.TempDir(), decode(data), openKubelet, openOurs); err != nil {
			t.Fatalf("sequence %d of seed %d differs: %v\nkeep as %s/random-%d:\n%s", i, seed, err, corpusDir, seed, corpusFile(data))
		}
	}
}
