package cache

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	crashDirEnv  = "IMAGEPULL_RECORDS_CRASH_DIR"
	crashGenEnv  = "IMAGEPULL_RECORDS_CRASH_GEN"
	crashKeys    = 5
	crashSecrets = 40
	crashRepo    = "docker.io/library/app"
)

// crashRecord is generation gen of record k: every Secret carries gen, so a record mixing two
// generations, or a partial one, shows.
func crashRecord(k, gen int) pullmanager.PulledRecord {
	secrets := make([]pullmanager.ImagePullSecret, crashSecrets)
	for i := range secrets {
		secrets[i] = pullmanager.ImagePullSecret{UID: fmt.Sprintf("%d-%d", gen, i), Namespace: "ns", Name: fmt.Sprintf("s%02d", i), CredentialHash: strings.Repeat("ab", 32)}
	}
	return pullmanager.PulledRecord{
		LastUpdatedTime:   time.Unix(int64(gen), 0).UTC(),
		ImageRef:          fmt.Sprintf("sha256:%d", k),
		CredentialMapping: map[string]pullmanager.ImagePullCredentials{crashRepo: {KubernetesSecrets: secrets}},
	}
}

// crashGeneration returns the generation of a record written by crashRecord, checking that it
// is whole.
func crashGeneration(t *testing.T, rec pullmanager.PulledRecord) int {
	t.Helper()
	gen := int(rec.LastUpdatedTime.Unix())
	k, err := strconv.Atoi(strings.TrimPrefix(rec.ImageRef, "sha256:"))
	require.NoError(t, err)
	require.True(t, crashRecord(k, gen).Equal(rec), "record %s is exactly generation %d", rec.ImageRef, gen)
	return gen
}

// TestFileRecordsCrashChild is the child process of TestFileRecordsSurviveKill: it writes
// generations of records and intents until it is killed, printing each finished generation.
func TestFileRecordsCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestFileRecordsSurviveKill")
	}
	gen, err := strconv.Atoi(os.Getenv(crashGenEnv))
	require.NoError(t, err)
	r, err := NewFileRecords(dir)
	require.NoError(t, err)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); gen++ {
		for k := range crashKeys {
			image := fmt.Sprintf("app:%d", k)
			require.NoError(t, r.WritePullIntent(image))
			require.NoError(t, r.WritePulledRecord(crashRecord(k, gen)))
			if gen%2 == 0 {
				require.NoError(t, r.DeletePullIntent(image))
			}
		}
		fmt.Printf("%d\n", gen)
	}
}

// TestFileRecordsSurviveKill kills a process writing records (SIGKILL) at random points, 20
// times (IMAGEPULL_CRASH_TRIALS), and checks after each kill that every record is whole and either the last generation
// known to be finished or the one being written; never a torn or corrupt record.
func TestFileRecordsSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	floor := make([]int, crashKeys) // per key, the lowest generation allowed now
	leftovers := 0
	trials := crashTrials(20)
	for run := range trials {
		startGen := (run + 1) * 1_000_000
		cmd := exec.Command(os.Args[0], "-test.run=^TestFileRecordsCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashGenEnv+"="+strconv.Itoa(startGen))
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())

		lines := bufio.NewScanner(stdout)
		lastDone, waitFor := 0, 1+rng.IntN(6)
		for seen := 0; seen < waitFor && lines.Scan(); {
			if gen, err := strconv.Atoi(lines.Text()); err == nil {
				lastDone, seen = gen, seen+1
			}
		}
		require.NoError(t, cmd.Process.Kill())
		for lines.Scan() { // what the child printed before it died
			if gen, err := strconv.Atoi(lines.Text()); err == nil {
				lastDone = gen
			}
		}
		_ = cmd.Wait()
		require.NotZero(t, lastDone, "run %d: the child finished a generation", run)

		tmp, _ := filepath.Glob(filepath.Join(dir, "*", "*.tmp"))
		leftovers += len(tmp)
		r := &FileRecords{pullingDir: filepath.Join(dir, "pulling"), pulledDir: filepath.Join(dir, "pulled"), fs: osFS{}}
		recs, err := r.ListPulledRecords()
		require.NoError(t, err, "run %d: no record is corrupt", run)
		require.Len(t, recs, crashKeys)
		for k := range crashKeys {
			rec, ok, err := r.GetPulledRecord(fmt.Sprintf("sha256:%d", k))
			require.NoError(t, err)
			require.True(t, ok)
			gen := crashGeneration(t, rec)
			assert.GreaterOrEqual(t, gen, max(floor[k], lastDone), "run %d key %d: not older than the last finished generation", run, k)
			assert.LessOrEqual(t, gen, lastDone+1, "run %d key %d: at most the generation in progress", run, k)
			floor[k] = gen
			_, err = r.PullIntentExists(fmt.Sprintf("app:%d", k))
			require.NoError(t, err)
		}
		_, err = r.ListPullIntents()
		require.NoError(t, err)
	}
	t.Logf("%d kills mid-write: every record whole; temporary files left: %d (ignored, then removed at open)", trials, leftovers)
	r, err := NewFileRecords(dir)
	require.NoError(t, err)
	tmp, _ := filepath.Glob(filepath.Join(dir, "*", "*.tmp"))
	assert.Empty(t, tmp)
	v, err := pullmanager.New(pullmanager.Config{Records: r})
	require.NoError(t, err)
	for k := range crashKeys {
		must, err := v.MustAttemptImagePull(t.Context(), fmt.Sprintf("app:%d", k), fmt.Sprintf("sha256:%d", k), nil)
		require.NoError(t, err)
		assert.True(t, must, "a secrets-only record and no pod credentials: pull")
	}
}
