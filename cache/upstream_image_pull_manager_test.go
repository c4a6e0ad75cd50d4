package cache_test

// The kubelet's own tests of its pull manager over its file records, translated case by case
// from k8s.io/kubernetes v1.37.2 (identical in v1.36.3):
// pkg/kubelet/images/pullmanager/image_pull_manager_test.go, whose cases all run over
// fsPullRecordsAccessor and its testdata. Here they run a pullmanager.Manager over
// FileRecords on a copy of that testdata (internal/pullmanagercases/testdata, byte for
// byte), and check the files as upstream does: FileExists(pulled/…), NoFileExists(pulling/…),
// the record decoded from the file, the directories' contents. The tables are shared with
// kubelet/pullmanager/upstream_image_pull_manager_test.go (over MemoryRecords). Each case
// runs twice: over FileRecords alone, and behind CachedRecords as the kubelet runs it.
//
// Counts: 47 cases translated, all passing, none left out:
//   - TestFileBasedImagePullManager_MustAttemptImagePull (:427): 25
//   - TestFileBasedImagePullManager_RecordPullIntent (:827): 2
//   - TestFileBasedImagePullManager_RecordImagePulled (:901): 11
//   - TestFileBasedImagePullManager_initialize (:1269): 5
//   - TestFileBasedImagePullManager_PruneUnknownRecords (:1436): 4
//
// The pure functions of that file (Test_pulledRecordMergeNewCreds, Test_mergePullServiceAccounts)
// and the intent counters run in kubelet/pullmanager only: the counters are not visible from
// here, so a case that starts with N pulls in flight makes N RecordPullIntent calls first.
// Where upstream compares LastUpdatedTime with the wall clock, the Manager runs on a fixed
// clock and the time must equal it, or stay the fixture's.

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/internal/pullmanagercases"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

var upstreamNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// teeTestData copies upstream testdata files into dir (upstream's teeTestData,
// image_pull_manager_test.go:1544) and returns their contents by name.
func teeTestData(t *testing.T, dir, testdataDir string, names []string) map[string]string {
	t.Helper()
	out := make(map[string]string, len(names))
	for _, n := range names {
		b := pullmanagercases.Lookup(testdataDir, n).Bytes()
		require.NoError(t, os.MkdirAll(dir, 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), b, 0o600))
		out[n] = string(b)
	}
	return out
}

// dirFiles lists the names in dir (none for a missing dir), temporary files included, so
// that a leftover "<name>.tmp" fails the comparison.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// upstreamDirs returns a records directory holding the named testdata files.
func upstreamDirs(t *testing.T, pulling, pulled []string) (dir, pullingDir, pulledDir string) {
	t.Helper()
	dir = t.TempDir()
	pullingDir, pulledDir = filepath.Join(dir, "pulling"), filepath.Join(dir, "pulled")
	teeTestData(t, pullingDir, "pulling", pulling)
	teeTestData(t, pulledDir, "pulled", pulled)
	return dir, pullingDir, pulledDir
}

func newFileManager(t *testing.T, policy pullmanager.VerificationPolicy, records pullmanager.PullRecords) *pullmanager.Manager {
	t.Helper()
	m, err := pullmanager.New(pullmanager.Config{Policy: policy, Records: records, Now: func() time.Time { return upstreamNow }})
	require.NoError(t, err)
	return m
}

// upstreamStore opens the records a case's Manager runs over.
type upstreamStore struct {
	name string
	open func(t *testing.T, dir string) pullmanager.PullRecords
}

// upstreamStores are FileRecords, as upstream's fsPullRecordsAccessor, and CachedRecords in
// front of it, as the kubelet runs (its cachedPullRecordsAccessor over the fs accessor,
// pkg/kubelet/kuberuntime/kuberuntime_manager.go:349): the answers and the files must be the
// same through both.
func upstreamStores() []upstreamStore {
	return []upstreamStore{
		{name: "files", open: func(t *testing.T, dir string) pullmanager.PullRecords { return openFiles(t, dir) }},
		{name: "cached files", open: func(t *testing.T, dir string) pullmanager.PullRecords {
			return cache.NewCachedRecords(openFiles(t, dir), nil)
		}},
	}
}

func openFiles(t *testing.T, dir string) *cache.FileRecords {
	t.Helper()
	f, err := cache.NewFileRecords(dir)
	require.NoError(t, err)
	return f
}

// image_pull_manager_test.go:427 TestFileBasedImagePullManager_MustAttemptImagePull.
func TestUpstreamFileBasedImagePullManager_MustAttemptImagePull(t *testing.T) {
	for _, st := range upstreamStores() {
		t.Run(st.name, func(t *testing.T) {
			for _, tt := range pullmanagercases.MustAttemptCases() {
				t.Run(tt.Name, func(t *testing.T) {
					dir, _, _ := upstreamDirs(t, tt.PullingFiles, tt.PulledFiles)
					records := &pullmanagercases.CountingRecords{PullRecords: st.open(t, dir)}
					f := newFileManager(t, tt.Policy, records)
					var podCredsRequested bool
					s := func() (pullmanager.PodCredentials, error) {
						podCredsRequested = true
						return pullmanager.PodCredentials{Secrets: tt.PodSecrets, ServiceAccount: tt.PodServiceAccount}, nil
					}
					got, err := f.MustAttemptImagePull(t.Context(), tt.Image, tt.ImageRef, s)
					require.NoError(t, err)
					assert.Equal(t, tt.Want, got)
					assert.Equal(t, tt.WantPodCredsRequested, podCredsRequested, "pod credentials looked up")
					assert.Equal(t, tt.ExpectedCacheWrite, records.Writes != 0, "record writes: %d", records.Writes)
					if tt.ExpectedPullRecord != nil {
						rec, found, err := openFiles(t, dir).GetPulledRecord(tt.ImageRef)
						require.NoError(t, err)
						require.True(t, found)
						rec.LastUpdatedTime = tt.ExpectedPullRecord.LastUpdatedTime
						pullmanagercases.AssertRecord(t, *tt.ExpectedPullRecord, rec)
					}
				})
			}
		})
	}
}

// image_pull_manager_test.go:827 TestFileBasedImagePullManager_RecordPullIntent.
func TestUpstreamFileBasedImagePullManager_RecordPullIntent(t *testing.T) {
	for _, st := range upstreamStores() {
		t.Run(st.name, func(t *testing.T) {
			for _, tt := range pullmanagercases.RecordPullIntentCases() {
				t.Run(tt.Name, func(t *testing.T) {
					dir, pullingDir, _ := upstreamDirs(t, nil, nil)
					f := newFileManager(t, "", st.open(t, dir))
					for range tt.StartCounter {
						require.NoError(t, f.RecordPullIntent(tt.InputImage))
					}
					require.NoError(t, f.RecordPullIntent(tt.InputImage))

					expectFilename := filepath.Join(pullingDir, tt.WantFile)
					require.FileExists(t, expectFilename)
					got, err := openFiles(t, dir).ListPullIntents()
					require.NoError(t, err)
					assert.Equal(t, []pullmanager.PullIntent{{Image: tt.InputImage}}, got)
					b, err := os.ReadFile(expectFilename)
					require.NoError(t, err)
					assert.Equal(t, `{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"`+tt.InputImage+`"}`+"\n", string(b),
						"the kubelet's encoder's bytes")
					assert.Equal(t, []string{tt.WantFile}, dirFiles(t, pullingDir))
				})
			}
		})
	}
}

// image_pull_manager_test.go:901 TestFileBasedImagePullManager_RecordImagePulled.
func TestUpstreamFileBasedImagePullManager_RecordImagePulled(t *testing.T) {
	for _, st := range upstreamStores() {
		t.Run(st.name, func(t *testing.T) {
			for _, tt := range pullmanagercases.RecordImagePulledCases() {
				t.Run(tt.Name, func(t *testing.T) {
					dir, pullingDir, pulledDir := upstreamDirs(t, tt.ExistingPulling, tt.ExistingPulled)
					f := newFileManager(t, "", st.open(t, dir))
					for range tt.PullsInFlight {
						require.NoError(t, f.RecordPullIntent(tt.Image))
					}
					f.RecordImagePulled(tt.Image, tt.ImageRef, tt.Creds)

					for _, fname := range tt.ExpectPulled {
						require.FileExists(t, filepath.Join(pulledDir, fname))
					}
					if tt.ExpectPullingRemoved != "" {
						require.NoFileExists(t, filepath.Join(pullingDir, tt.ExpectPullingRemoved))
					}
					require.FileExists(t, filepath.Join(pulledDir, tt.CheckedPullFile))
					require.Equal(t, tt.CheckedPullFile, pullmanagercases.FileName(tt.ExpectedPullRecord.ImageRef))
					got, found, err := openFiles(t, dir).GetPulledRecord(tt.ExpectedPullRecord.ImageRef)
					require.NoError(t, err)
					require.True(t, found)
					if tt.ExpectUpdated {
						assert.True(t, got.LastUpdatedTime.Equal(upstreamNow), "expected the record to be updated: %s", got.LastUpdatedTime)
					} else {
						assert.True(t, got.LastUpdatedTime.Equal(pullmanagercases.FixtureTime), "expected the record NOT to be updated: %s", got.LastUpdatedTime)
					}
					got.LastUpdatedTime = tt.ExpectedPullRecord.LastUpdatedTime
					pullmanagercases.AssertRecord(t, tt.ExpectedPullRecord, got)
					for _, d := range []string{pullingDir, pulledDir} {
						for _, name := range dirFiles(t, d) {
							assert.False(t, strings.HasSuffix(name, ".tmp"), "temporary file left: %s", name)
						}
					}
				})
			}
		})
	}
}

// image_pull_manager_test.go:1269 TestFileBasedImagePullManager_initialize.
func TestUpstreamFileBasedImagePullManager_initialize(t *testing.T) {
	for _, st := range upstreamStores() {
		t.Run(st.name, func(t *testing.T) {
			for _, tt := range pullmanagercases.InitializeCases() {
				t.Run(tt.Name, func(t *testing.T) {
					dir, pullingDir, pulledDir := upstreamDirs(t, tt.ExistingIntents, tt.ExistingPulledRecords)
					f := newFileManager(t, "", st.open(t, dir))
					require.NoError(t, f.Initialize(t.Context(), pullmanagercases.InitializeImages()))
					assert.ElementsMatch(t, tt.ExpectedIntents, dirFiles(t, pullingDir), "pull intent files")
					assert.ElementsMatch(t, tt.ExpectedPulled, dirFiles(t, pulledDir), "pull record files")
				})
			}
		})
	}
}

// image_pull_manager_test.go:1436 TestFileBasedImagePullManager_PruneUnknownRecords.
func TestUpstreamFileBasedImagePullManager_PruneUnknownRecords(t *testing.T) {
	for _, st := range upstreamStores() {
		t.Run(st.name, func(t *testing.T) {
			for _, tt := range pullmanagercases.PruneCases() {
				t.Run(tt.Name, func(t *testing.T) {
					dir, _, pulledDir := upstreamDirs(t, nil, tt.PulledFiles)
					f := newFileManager(t, "", st.open(t, dir))
					f.PruneUnknownRecords(tt.ImageList, tt.GCStartTime)
					assert.ElementsMatch(t, tt.WantFiles, dirFiles(t, pulledDir))
				})
			}
		})
	}
}

// TestUpstreamTestdata checks every file of upstream's testdata against FileRecords: the file
// is named as FileRecords names it, reads as the record or intent it holds (the broken one as
// a corrupt record), and writing that record or intent gives the file's bytes, in v1beta1 and
// with the trailing newline the kubelet's encoder writes (upstream's hand-written v1beta1
// files lack it; its v1alpha1 files, written by the encoder, have it).
func TestUpstreamTestdata(t *testing.T) {
	for _, fx := range pullmanagercases.Fixtures() {
		t.Run(fx.Dir+"/"+fx.Name, func(t *testing.T) {
			raw := fx.Bytes()
			want := bytes.TrimSuffix(bytes.Replace(raw, []byte("kubelet.config.k8s.io/v1alpha1"), []byte("kubelet.config.k8s.io/v1beta1"), 1), []byte("\n"))
			want = append(want, '\n')

			// The file is copied after FileRecords is open, so that it is read as shipped (an
			// open would first rewrite a v1alpha1 file as v1beta1).
			readDir, writeDir := t.TempDir(), t.TempDir()
			r, w := openFiles(t, readDir), openFiles(t, writeDir)
			teeTestData(t, filepath.Join(readDir, fx.Dir), fx.Dir, []string{fx.Name})
			switch {
			case fx.Dir == "pulling":
				assert.Equal(t, fx.Name, pullmanagercases.FileName(fx.Intent))
				ok, err := r.PullIntentExists(fx.Intent)
				require.NoError(t, err)
				assert.True(t, ok)
				require.NoError(t, w.WritePullIntent(fx.Intent))
			case fx.Record == nil:
				assert.Equal(t, fx.Name, pullmanagercases.FileName("testbrokenrecord"))
				_, exists, err := r.GetPulledRecord("testbrokenrecord")
				require.ErrorIs(t, err, pullmanager.ErrCorruptRecord)
				assert.True(t, exists)
				return
			default:
				assert.Equal(t, fx.Name, pullmanagercases.FileName(fx.Record.ImageRef))
				got, ok, err := r.GetPulledRecord(fx.Record.ImageRef)
				require.NoError(t, err)
				require.True(t, ok)
				pullmanagercases.AssertRecord(t, *fx.Record, got)
				require.NoError(t, w.WritePulledRecord(*fx.Record))
			}
			written, err := os.ReadFile(filepath.Join(writeDir, fx.Dir, fx.Name))
			require.NoError(t, err)
			assert.Equal(t, string(want), string(written))
		})
	}
}
