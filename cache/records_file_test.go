package cache

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Records and file contents as the kubelet writes them (its pullmanager testdata, v1beta1).
var (
	kubeletTime   = time.Date(2024, 10, 21, 12, 26, 40, 0, time.UTC)
	kubeletSecret = pullmanager.ImagePullSecret{UID: "testsecretuid", Namespace: "default", Name: "pull-secret", CredentialHash: "testsecrethash"}
	kubeletFiles  = []struct {
		dir, name, content string
		intent             string                    // for pulling/
		record             *pullmanager.PulledRecord // for pulled/
	}{
		{dir: "pulling", name: "sha256-7d8c031e2f1aeaa71649ca3e0b64c9902370ed460ef57fb07582a87a5a1e1c02", intent: "repo.repo/test/test:latest",
			content: `{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"repo.repo/test/test:latest"}`},
		{dir: "pulling", name: "sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56", intent: "docker.io/testing/test:latest",
			content: `{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"docker.io/testing/test:latest"}`},
		{dir: "pulled", name: "sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a",
			content: `{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"testimage-anonpull","credentialMapping":{"docker.io/testing/test":{"nodePodsAccessible":true}}}`,
			record: &pullmanager.PulledRecord{LastUpdatedTime: kubeletTime, ImageRef: "testimage-anonpull",
				CredentialMapping: map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {NodePodsAccessible: true}}}},
		{dir: "pulled", name: "sha256-b3c0cc4278800b03a308ceb2611161430df571ca733122f0a40ac8b9792a9064",
			content: `{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"testimageref","credentialMapping":{"docker.io/testing/test":{"kubernetesSecrets":[{"uid":"testsecretuid","namespace":"default","name":"pull-secret","credentialHash":"testsecrethash"}]}}}`,
			record: &pullmanager.PulledRecord{LastUpdatedTime: kubeletTime, ImageRef: "testimageref",
				CredentialMapping: map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{kubeletSecret}}}}},
		{dir: "pulled", name: "sha256-917e8b3439bf8a7a6f37ffd2d2ddfdfafac8a251bf214a0be39675742b420b1a",
			content: `{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"testimageref-sa","credentialMapping":{"docker.io/testing/test":{"kubernetesServiceAccounts":[{"uid":"test-sa-uid","namespace":"default","name":"test-sa"}]}}}`,
			record: &pullmanager.PulledRecord{LastUpdatedTime: kubeletTime, ImageRef: "testimageref-sa",
				CredentialMapping: map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {
					KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{{UID: "test-sa-uid", Namespace: "default", Name: "test-sa"}}}}}},
		{dir: "pulled", name: "sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991",
			content: `{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"testemptycredmapping"}`,
			record:  &pullmanager.PulledRecord{LastUpdatedTime: kubeletTime, ImageRef: "testemptycredmapping"}},
		{dir: "pulled", name: "sha256-38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd",
			content: `{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"test-brokenhash","credentialMapping":{"docker.io/testing/test":{"kubernetesSecrets":[{"uid":"testsecretuid","namespace":"default","name":"pull-secret","credentialHash":""}]}}}`,
			record: &pullmanager.PulledRecord{LastUpdatedTime: kubeletTime, ImageRef: "test-brokenhash",
				CredentialMapping: map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "default", Name: "pull-secret"}}}}}},
	}
)

func newTestFileRecords(t *testing.T) (*FileRecords, string) {
	t.Helper()
	dir := t.TempDir()
	r, err := NewFileRecords(dir)
	require.NoError(t, err)
	return r, dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// TestFileRecordsWritesKubeletFiles is R1, R24 and §5.8: same file names, same bytes.
func TestFileRecordsWritesKubeletFiles(t *testing.T) {
	for _, f := range kubeletFiles {
		t.Run(f.name, func(t *testing.T) {
			r, dir := newTestFileRecords(t)
			if f.record != nil {
				require.NoError(t, r.WritePulledRecord(*f.record))
			} else {
				require.NoError(t, r.WritePullIntent(f.intent))
			}
			assert.Equal(t, f.content+"\n", readFile(t, filepath.Join(dir, f.dir, f.name)))
		})
	}
}

func TestFileRecordsEncoding(t *testing.T) {
	r, dir := newTestFileRecords(t)
	at := time.Date(2025, 3, 1, 10, 0, 0, 999_000_000, time.FixedZone("CET", 3600))
	require.NoError(t, r.WritePulledRecord(pullmanager.PulledRecord{LastUpdatedTime: at, ImageRef: "sha256:<&>",
		CredentialMapping: map[string]pullmanager.ImagePullCredentials{"b.io/x": {}, "a.io/x": {NodePodsAccessible: true}}}))
	assert.Equal(t, `{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2025-03-01T09:00:00Z","imageRef":"sha256:\u003c\u0026\u003e","credentialMapping":{"a.io/x":{"nodePodsAccessible":true},"b.io/x":{}}}`+"\n",
		readFile(t, filepath.Join(dir, "pulled", recordFileName("sha256:<&>"))), "UTC seconds, sorted keys, HTML escaped")
	rec, ok, err := r.GetPulledRecord("sha256:<&>")
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, rec.LastUpdatedTime.Equal(at.Truncate(time.Second)))

	require.NoError(t, r.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "zero"}))
	assert.Contains(t, readFile(t, filepath.Join(dir, "pulled", recordFileName("zero"))), `"lastUpdatedTime":null`)
	rec, _, err = r.GetPulledRecord("zero")
	require.NoError(t, err)
	assert.True(t, rec.LastUpdatedTime.IsZero())
}

// TestFileRecordsReadsKubeletFiles reads the kubelet's files, v1alpha1 and v1beta1, with and
// without a trailing newline.
func TestFileRecordsReadsKubeletFiles(t *testing.T) {
	for _, variant := range []struct{ name, version, newline string }{
		{"v1beta1", apiVersionV1beta1, ""}, {"v1beta1 newline", apiVersionV1beta1, "\n"},
		{"v1alpha1", apiVersionV1alpha1, ""}, {"v1alpha1 newline", apiVersionV1alpha1, "\n"},
	} {
		t.Run(variant.name, func(t *testing.T) {
			dir := t.TempDir()
			var wantIntents []pullmanager.PullIntent
			var wantRecords []pullmanager.PulledRecord
			for _, f := range kubeletFiles {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, f.dir), 0o700))
				content := strings.Replace(f.content, apiVersionV1beta1, variant.version, 1) + variant.newline
				require.NoError(t, os.WriteFile(filepath.Join(dir, f.dir, f.name), []byte(content), 0o600))
				if f.record != nil {
					wantRecords = append(wantRecords, *f.record)
				} else {
					wantIntents = append(wantIntents, pullmanager.PullIntent{Image: f.intent})
				}
			}
			r := &FileRecords{pullingDir: filepath.Join(dir, "pulling"), pulledDir: filepath.Join(dir, "pulled"), fs: osFS{}}
			for _, f := range kubeletFiles {
				if f.record == nil {
					ok, err := r.PullIntentExists(f.intent)
					require.NoError(t, err)
					assert.True(t, ok, f.intent)
					continue
				}
				got, ok, err := r.GetPulledRecord(f.record.ImageRef)
				require.NoError(t, err)
				require.True(t, ok)
				assert.True(t, f.record.Equal(got), "%+v", got)
			}
			intents, err := r.ListPullIntents()
			require.NoError(t, err)
			assert.ElementsMatch(t, wantIntents, intents)
			records, err := r.ListPulledRecords()
			require.NoError(t, err)
			assert.Len(t, records, len(wantRecords))
		})
	}
}

// TestNewFileRecordsMigrates: v1alpha1 files are rewritten as v1beta1, byte for byte what the
// kubelet writes (its TestNewFSPullRecordsAccessor); leftover temporary files are removed.
func TestNewFileRecordsMigrates(t *testing.T) {
	dir := t.TempDir()
	for _, f := range kubeletFiles {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, f.dir), 0o700))
		alpha := strings.Replace(f.content, apiVersionV1beta1, apiVersionV1alpha1, 1) + "\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, f.dir, f.name), []byte(alpha), 0o600))
	}
	leftover := filepath.Join(dir, "pulled", kubeletFiles[2].name+".123.tmp")
	require.NoError(t, os.WriteFile(leftover, []byte(`{"kind":`), 0o600))
	garbage := filepath.Join(dir, "pulled", recordFileName("garbage"))
	require.NoError(t, os.WriteFile(garbage, []byte(`not json`), 0o600))

	_, err := NewFileRecords(dir)
	require.NoError(t, err)
	for _, f := range kubeletFiles {
		assert.Equal(t, f.content+"\n", readFile(t, filepath.Join(dir, f.dir, f.name)))
	}
	assert.NoFileExists(t, leftover)
	assert.Equal(t, "not json", readFile(t, garbage), "undecodable files are left alone")
}

func TestNewFileRecordsCreatesDirectories(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "does-not-exist", "image_manager")
	r, err := NewFileRecords(dir)
	require.NoError(t, err)
	require.NoError(t, r.WritePullIntent("nginx"))
	require.NoError(t, r.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "ref"}))
	for path, mode := range map[string]os.FileMode{
		filepath.Join(dir, "pulling"):                          0o700 | os.ModeDir,
		filepath.Join(dir, "pulled"):                           0o700 | os.ModeDir,
		filepath.Join(dir, "pulling", recordFileName("nginx")): 0o600,
		filepath.Join(dir, "pulled", recordFileName("ref")):    0o600,
	} {
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, mode, info.Mode(), path)
	}
}

func TestFileRecordsRoundTrip(t *testing.T) {
	r, _ := newTestFileRecords(t)
	ok, err := r.PullIntentExists("nginx")
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, r.WritePullIntent("nginx"))
	require.NoError(t, r.WritePullIntent("nginx"), "idempotent")
	ok, err = r.PullIntentExists("nginx")
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, r.DeletePullIntent("nginx"))
	require.NoError(t, r.DeletePullIntent("nginx"), "deleting a missing intent")
	ok, err = r.PullIntentExists("nginx")
	require.NoError(t, err)
	assert.False(t, ok)

	_, ok, err = r.GetPulledRecord("ref")
	require.NoError(t, err)
	assert.False(t, ok)
	rec := *kubeletFiles[3].record
	rec.ImageRef = "ref"
	require.NoError(t, r.WritePulledRecord(rec))
	got, ok, err := r.GetPulledRecord("ref")
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, rec.Equal(got))
	require.NoError(t, r.DeletePulledRecord("ref"))
	require.NoError(t, r.DeletePulledRecord("ref"))
	_, ok, err = r.GetPulledRecord("ref")
	require.NoError(t, err)
	assert.False(t, ok)
}

// TestFileRecordsIntegrity is R23: a file naming another image than its name says is not found.
func TestFileRecordsIntegrity(t *testing.T) {
	r, dir := newTestFileRecords(t)
	require.NoError(t, r.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "other"}))
	require.NoError(t, os.Rename(filepath.Join(dir, "pulled", recordFileName("other")), filepath.Join(dir, "pulled", recordFileName("wanted"))))
	_, ok, err := r.GetPulledRecord("wanted")
	require.NoError(t, err)
	assert.False(t, ok)

	require.NoError(t, r.WritePullIntent("other"))
	require.NoError(t, os.Rename(filepath.Join(dir, "pulling", recordFileName("other")), filepath.Join(dir, "pulling", recordFileName("wanted"))))
	ok, err = r.PullIntentExists("wanted")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestFileRecordsListingIgnoresForeignFiles(t *testing.T) {
	r, dir := newTestFileRecords(t)
	require.NoError(t, r.WritePullIntent("nginx"))
	require.NoError(t, r.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "ref"}))
	for _, d := range []string{"pulling", "pulled"} {
		require.NoError(t, os.Mkdir(filepath.Join(dir, d, "sha256-subdir"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(dir, d, "README"), []byte("x"), 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, d, recordFileName("x")+".tmp"), []byte("{"), 0o600))
	}
	intents, err := r.ListPullIntents()
	require.NoError(t, err)
	assert.Equal(t, []pullmanager.PullIntent{{Image: "nginx"}}, intents)
	recs, err := r.ListPulledRecords()
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, "ref", recs[0].ImageRef)
}

// TestFileRecordsCorrupt: an undecodable record is an error matching ErrCorruptRecord, never
// a silent absence.
func TestFileRecordsCorrupt(t *testing.T) {
	good := kubeletFiles[3].content
	tests := []struct{ name, content string }{
		{"empty file", ""},
		{"truncated", good[:len(good)/2]},
		{"garbage", "\x00\x01garbage"},
		{"unknown field", strings.Replace(good, `"imageRef"`, `"extra":1,"imageRef"`, 1)},
		{"unknown nested field", strings.Replace(good, `"credentialHash"`, `"hash":"x","credentialHash"`, 1)},
		{"field in the wrong case", strings.Replace(good, `"imageRef"`, `"ImageRef"`, 1)},
		{"duplicate field", strings.Replace(good, `"imageRef":"testimageref"`, `"imageRef":"testimageref","imageRef":"testimageref"`, 1)},
		{"wrong kind", strings.Replace(good, "ImagePulledRecord", "ImagePullIntent", 1)},
		{"unknown apiVersion", strings.Replace(good, "v1beta1", "v1", 1)},
		{"no apiVersion", strings.Replace(good, `"apiVersion":"kubelet.config.k8s.io/v1beta1",`, "", 1)},
		{"wrong type", strings.Replace(good, `"imageRef":"testimageref"`, `"imageRef":["testimageref"]`, 1)},
		{"bad time", strings.Replace(good, "2024-10-21T12:26:40Z", "yesterday", 1)},
		{"trailing data", good + `{}`},
		{"two newlines then data", good + "\n\nx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, dir := newTestFileRecords(t)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "pulled", recordFileName("testimageref")), []byte(tc.content), 0o600))
			_, exists, err := r.GetPulledRecord("testimageref")
			require.ErrorIs(t, err, pullmanager.ErrCorruptRecord)
			assert.True(t, exists)
			require.NoError(t, r.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "fine"}))
			recs, err := r.ListPulledRecords()
			require.ErrorIs(t, err, pullmanager.ErrCorruptRecord)
			require.Len(t, recs, 1, "the readable records are still listed")

			intent := strings.Replace(strings.Replace(tc.content, "ImagePulledRecord", "ImagePullIntent", 1), `"imageRef"`, `"image"`, 1)
			if tc.name == "wrong kind" {
				intent = good
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, "pulling", recordFileName("testimageref")), []byte(intent), 0o600))
			_, err = r.PullIntentExists("testimageref")
			require.ErrorIs(t, err, pullmanager.ErrCorruptRecord)
		})
	}
}

// TestFileRecordsCorruptForcesPull is MA26 on disk.
func TestFileRecordsCorruptForcesPull(t *testing.T) {
	r, dir := newTestFileRecords(t)
	rec := *kubeletFiles[2].record // testimage-anonpull: open to every pod
	require.NoError(t, r.WritePulledRecord(rec))
	var logs bytes.Buffer
	v, err := pullmanager.New(pullmanager.Config{Records: r, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	mustPull := func() bool {
		got, err := v.MustAttemptImagePull(t.Context(), "docker.io/testing/test:latest", rec.ImageRef, nil)
		require.NoError(t, err)
		return got
	}
	assert.False(t, mustPull())
	path := filepath.Join(dir, "pulled", recordFileName(rec.ImageRef))
	require.NoError(t, os.WriteFile(path, []byte(`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpd`), 0o600))
	assert.True(t, mustPull())
	assert.Contains(t, logs.String(), "Unable to access cache records about image pulls")
	assert.Contains(t, logs.String(), "corrupt image pull record")

	// A successful pull replaces the corrupt record.
	require.NoError(t, v.RecordPullIntent("docker.io/testing/test:latest"))
	v.RecordImagePulled("docker.io/testing/test:latest", rec.ImageRef, &pullmanager.ImagePullCredentials{NodePodsAccessible: true})
	assert.False(t, mustPull())
}

// TestFileRecordsVerifierRestart: records survive a restart, and Initialize turns the intent
// of a pull interrupted by the crash into a record (R14 on disk).
func TestFileRecordsVerifierRestart(t *testing.T) {
	dir := t.TempDir()
	r, err := NewFileRecords(dir)
	require.NoError(t, err)
	v, err := pullmanager.New(pullmanager.Config{Records: r})
	require.NoError(t, err)
	secret := pullmanager.ImagePullSecret{UID: "u", Namespace: "ns", Name: "regcred", CredentialHash: "h"}
	require.NoError(t, v.RecordPullIntent("registry.example.com/app:v1"))
	v.RecordImagePulled("registry.example.com/app:v1", "sha256:app", &pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{secret}})
	require.NoError(t, v.RecordPullIntent("docker.io/library/redis:7")) // the kubelet dies during this pull

	r2, err := NewFileRecords(dir)
	require.NoError(t, err)
	v2, err := pullmanager.New(pullmanager.Config{Records: r2})
	require.NoError(t, err)
	require.NoError(t, v2.Initialize(t.Context(), []pullpolicy.LocalImage{
		{ID: "sha256:app", RepoTags: []string{"registry.example.com/app:v1"}}, // its intent file was kept for reuse
		{ID: "sha256:redis", RepoTags: []string{"docker.io/library/redis:7"}},
	}))

	ask := func(image, ref string, s ...pullmanager.ImagePullSecret) bool {
		got, err := v2.MustAttemptImagePull(t.Context(), image, ref, func() (pullmanager.PodCredentials, error) {
			return pullmanager.PodCredentials{Secrets: s}, nil
		})
		require.NoError(t, err)
		return got
	}
	assert.False(t, ask("registry.example.com/app:v1", "sha256:app", secret))
	assert.True(t, ask("registry.example.com/app:v1", "sha256:app"))
	assert.True(t, ask("docker.io/library/redis:7", "sha256:redis"), "recovered intent: kubelet-pulled, unverified")
	intents, err := r2.ListPullIntents()
	require.NoError(t, err)
	assert.Empty(t, intents)
}

// faultFS fails one step of a write. crash makes the failure also skip the clean-up, as a
// process killed at that point would.
type faultFS struct {
	osFS
	step  string // "create", "write", "sync", "close", "rename", "syncdir"
	crash bool
}

var errInjected = errors.New("injected failure")

func (f *faultFS) Create(name string) (tempFile, error) {
	if f.step == "create" {
		return nil, errInjected
	}
	file, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, step: f.step}, nil
}

func (f *faultFS) Rename(oldpath, newpath string) error {
	if f.step == "rename" {
		return errInjected
	}
	return os.Rename(oldpath, newpath)
}

func (f *faultFS) SyncDir(dir string) error {
	if f.step == "syncdir" {
		return errInjected
	}
	return f.osFS.SyncDir(dir)
}

func (f *faultFS) Remove(name string) error {
	if f.crash {
		return errInjected
	}
	return os.Remove(name)
}

type faultFile struct {
	*os.File
	step string
}

func (f *faultFile) Write(p []byte) (int, error) {
	if f.step == "write" { // a short write: half the bytes reach the file
		n, _ := f.File.Write(p[:len(p)/2])
		return n, errInjected
	}
	return f.File.Write(p)
}

func (f *faultFile) Sync() error {
	if f.step == "sync" {
		return errInjected
	}
	return f.File.Sync()
}

func (f *faultFile) Close() error {
	err := f.File.Close()
	if f.step == "close" {
		return errInjected
	}
	return err
}

// TestFileRecordsWriteFailures injects a failure at every step of a write: the previous record
// stays readable (or, after the rename, the new one is there), and a temporary file left by a
// "crash" is ignored and cleaned at the next open.
func TestFileRecordsWriteFailures(t *testing.T) {
	oldRec := pullmanager.PulledRecord{LastUpdatedTime: kubeletTime, ImageRef: "ref",
		CredentialMapping: map[string]pullmanager.ImagePullCredentials{"docker.io/library/app": {NodePodsAccessible: true}}}
	newRec := oldRec.Clone()
	newRec.CredentialMapping["docker.io/library/app"] = pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{kubeletSecret}}
	for _, step := range []string{"create", "write", "sync", "close", "rename", "syncdir"} {
		for _, crash := range []bool{false, true} {
			t.Run(step+map[bool]string{true: " crash"}[crash], func(t *testing.T) {
				dir := t.TempDir()
				r, err := NewFileRecords(dir)
				require.NoError(t, err)
				require.NoError(t, r.WritePulledRecord(oldRec))
				require.NoError(t, r.WritePullIntent("app"))

				r.fs = &faultFS{step: step, crash: crash}
				r.sync = true // the "sync" and "syncdir" steps exist only with FileRecordsOptions.Sync
				require.ErrorIs(t, r.WritePulledRecord(newRec), errInjected)
				require.ErrorIs(t, r.WritePullIntent("app"), errInjected)

				got, ok, err := r.GetPulledRecord("ref")
				require.NoError(t, err)
				require.True(t, ok)
				want := oldRec
				if step == "syncdir" { // the rename happened: the new record is in place
					want = newRec
				}
				assert.True(t, want.Equal(got), "%s: got %+v", step, got)
				ok, err = r.PullIntentExists("app")
				require.NoError(t, err)
				assert.True(t, ok)
				recs, err := r.ListPulledRecords()
				require.NoError(t, err)
				assert.Len(t, recs, 1)

				leftovers, _ := filepath.Glob(filepath.Join(dir, "*", "*.tmp"))
				if !crash || step == "create" || step == "syncdir" {
					assert.Empty(t, leftovers)
				}
				_, err = NewFileRecords(dir)
				require.NoError(t, err)
				leftovers, _ = filepath.Glob(filepath.Join(dir, "*", "*.tmp"))
				assert.Empty(t, leftovers, "cleaned at open")
			})
		}
	}
}

// TestFileRecordsKubeletIntentLifetime: the intent file exists from RecordPullIntent until
// the pull's record is written (or the pull failed), then is gone, as in the kubelet's own
// tests (image_pull_manager_test.go asserts NoFileExists(pulling/…) right after
// RecordImagePulled); with two pulls of one string in flight, until the last ends. The
// temporary names are the kubelet's ("<name>.tmp") and none is left behind.
func TestFileRecordsKubeletIntentLifetime(t *testing.T) {
	const image = "registry.example.com/app:v1"
	for _, sync := range []bool{false, true} {
		t.Run(map[bool]string{false: "kubelet", true: "sync"}[sync], func(t *testing.T) {
			dir := t.TempDir()
			r, err := OpenFileRecords(dir, &FileRecordsOptions{Sync: sync})
			require.NoError(t, err)
			v, err := pullmanager.New(pullmanager.Config{Records: r})
			require.NoError(t, err)
			intent := filepath.Join(dir, "pulling", recordFileName(image))
			record := filepath.Join(dir, "pulled", recordFileName("sha256:app"))
			creds := &pullmanager.ImagePullCredentials{NodePodsAccessible: true}

			require.NoError(t, v.RecordPullIntent(image))
			assert.FileExists(t, intent)
			v.RecordImagePulled(image, "sha256:app", creds)
			assert.NoFileExists(t, intent, "removed once the record is written")
			assert.FileExists(t, record)

			require.NoError(t, v.RecordPullIntent(image))
			v.RecordImagePullFailed(image)
			assert.NoFileExists(t, intent, "removed when the pull failed")

			require.NoError(t, v.RecordPullIntent(image))
			require.NoError(t, v.RecordPullIntent(image)) // two pods pull the same string
			v.RecordImagePulled(image, "sha256:app", creds)
			assert.FileExists(t, intent, "another pull of the string is in flight")
			v.RecordImagePullFailed(image)
			assert.NoFileExists(t, intent)

			leftovers, _ := filepath.Glob(filepath.Join(dir, "*", "*.tmp"))
			assert.Empty(t, leftovers)
			entries, err := os.ReadDir(filepath.Join(dir, "pulling"))
			require.NoError(t, err)
			assert.Empty(t, entries)
		})
	}
}

// TestFileRecordsRecreatesDirectories: a directory removed under a running FileRecords is
// created again at the next write, as the kubelet's writeFile does (MkdirAll before every
// write); removing the whole image_manager directory means "no records", as for the kubelet.
func TestFileRecordsRecreatesDirectories(t *testing.T) {
	dir := t.TempDir()
	r, err := NewFileRecords(dir)
	require.NoError(t, err)
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, r.WritePullIntent("app:v1"))
	require.NoError(t, r.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "ref", LastUpdatedTime: kubeletTime}))
	for _, sub := range []string{"pulling", "pulled"} {
		info, err := os.Stat(filepath.Join(dir, sub))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	}
	ok, err := r.PullIntentExists("app:v1")
	require.NoError(t, err)
	assert.True(t, ok)
}
