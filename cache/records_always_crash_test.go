package cache

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

const (
	alwaysDirEnv = "IMAGEPULL_ALWAYS_CRASH_DIR"
	alwaysGenEnv = "IMAGEPULL_ALWAYS_CRASH_GEN"
	alwaysImages = 3
	// alwaysTrialsEnv sets the number of kills (the reliability suite raises it).
	alwaysTrialsEnv = "IMAGEPULL_CRASH_TRIALS"
)

var alwaysSecret = pullmanager.ImagePullSecret{UID: "uid-a", Namespace: "ns", Name: "regcred", CredentialHash: strings.Repeat("ab", 32)}

// crashTrials returns the number of kills a crash test makes: IMAGEPULL_CRASH_TRIALS when set,
// else def.
func crashTrials(def int) int {
	if n, err := strconv.Atoi(os.Getenv(alwaysTrialsEnv)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestFileRecordsAlwaysCycleChild is the child of TestFileRecordsAlwaysCycleSurvivesKill: it
// runs pull cycles (policy Always: the tag moves, every pull brings a new image ID) through
// the verifier on FileRecords, and "commits" each pulled image to a runtime log, fsynced, in
// the middle of the cycle, as a runtime makes the image appear on the node during the pull.
func TestFileRecordsAlwaysCycleChild(t *testing.T) {
	dir := os.Getenv(alwaysDirEnv)
	if dir == "" {
		t.Skip("run by TestFileRecordsAlwaysCycleSurvivesKill")
	}
	gen, err := strconv.Atoi(os.Getenv(alwaysGenEnv))
	require.NoError(t, err)
	r, err := NewFileRecords(filepath.Join(dir, "records"))
	require.NoError(t, err)
	v, err := pullmanager.New(pullmanager.Config{Records: r})
	require.NoError(t, err)
	// A restarted kubelet first turns the intents a crash left into records for the images the
	// runtime has (image_pull_manager.go initialize()); without it, the next pull of the same
	// string would remove the intent that covers the image the crash left unrecorded.
	require.NoError(t, v.Initialize(t.Context(), runtimeImages(t, filepath.Join(dir, "runtime.log"))))
	runtimeLog, err := os.OpenFile(filepath.Join(dir, "runtime.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	require.NoError(t, err)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); gen++ {
		for k := range alwaysImages {
			image := fmt.Sprintf("registry.example/team/app-%d:latest", k)
			ref := fmt.Sprintf("sha256:%d-%d", k, gen)
			require.NoError(t, v.RecordPullIntent(image))
			_, err := fmt.Fprintf(runtimeLog, "%s %s\n", image, ref) // the image appears on the node
			require.NoError(t, err)
			require.NoError(t, runtimeLog.Sync())
			v.RecordImagePulled(image, ref, &pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{alwaysSecret}})
		}
		fmt.Printf("%d\n", gen)
	}
}

// runtimeImages lists the images of the runtime log as a runtime would: every image by its ID
// and digest, and the tag on the newest image pulled under it (the tag moved away from the
// older ones).
func runtimeImages(t *testing.T, path string) []pullpolicy.LocalImage {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	var images []pullpolicy.LocalImage
	newest := map[string]int{} // tag → index in images
	for _, line := range strings.Split(string(data), "\n") {
		image, ref, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		newest[image] = len(images)
		images = append(images, pullpolicy.LocalImage{ID: ref, RepoDigests: []string{strings.TrimSuffix(image, ":latest") + "@" + ref}})
	}
	for image, i := range newest {
		images[i].RepoTags = []string{image}
	}
	return images
}

// TestFileRecordsAlwaysCycleSurvivesKill kills a process running pull cycles (SIGKILL) at
// random points and checks the isolation invariant after each kill, on the files alone (as a
// restarted kubelet would find them): every image the runtime has is covered by a record
// naming the Secret that pulled it, or by an intent for its image string (so that it counts as
// pulled by the kubelet and must be verified). An image with neither would count as preloaded:
// a pod without the Secret would get it. A record without the Secret (an intent turned into a
// record at restart) also counts: the image is kubelet-pulled, so every pod must verify.
func TestFileRecordsAlwaysCycleSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	trials := crashTrials(10)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	checked, onNode := 0, 0
	for run := range trials {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFileRecordsAlwaysCycleChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), alwaysDirEnv+"="+dir, alwaysGenEnv+"="+strconv.Itoa((run+1)*1_000_000))
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		lines := bufio.NewScanner(stdout)
		for seen, waitFor := 0, 1+rng.IntN(4); seen < waitFor && lines.Scan(); seen++ {
		}
		time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond) // land anywhere in a cycle
		require.NoError(t, cmd.Process.Kill())
		for lines.Scan() {
		}
		_ = cmd.Wait()

		r, err := NewFileRecords(filepath.Join(dir, "records"))
		require.NoError(t, err)
		data, err := os.ReadFile(filepath.Join(dir, "runtime.log"))
		require.NoError(t, err)
		onNode = 0
		for _, line := range strings.Split(string(data), "\n") {
			image, ref, ok := strings.Cut(line, " ")
			if !ok {
				continue // empty, or a line cut by the kill: the image never appeared
			}
			rec, found, err := r.GetPulledRecord(ref)
			require.NoError(t, err, "run %d: no corrupt record", run)
			if found {
				entry, ok := rec.CredentialMapping[strings.TrimSuffix(image, ":latest")]
				require.True(t, !ok || len(entry.KubernetesSecrets) == 1 && !entry.NodePodsAccessible,
					"run %d: image %s: only the Secret that pulled it may use it: %+v", run, ref, rec)
			} else {
				intent, err := r.PullIntentExists(image)
				require.NoError(t, err)
				require.True(t, intent, "run %d: image %s (%s) is on the node with neither record nor intent", run, ref, image)
			}
			checked++
			onNode++
		}
	}
	t.Logf("%d kills; after each, every image on the node (%d at the end; %d checks) covered by a record or an intent", trials, onNode, checked)
}
