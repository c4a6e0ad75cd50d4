package cache

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// fileState is what a test compares to prove a directory unchanged: every entry's mode,
// modification time and content.
type fileState struct {
	mode    fs.FileMode
	modTime time.Time
	content string
}

func dirState(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	out := make(map[string]fileState)
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := d.Info()
		require.NoError(t, err)
		st := fileState{mode: info.Mode(), modTime: info.ModTime()}
		if !d.IsDir() {
			st.content = readFile(t, path)
		}
		out[path] = st
		return nil
	}))
	return out
}

// TestOpenFileRecordsReadOnly: the kubelet's files are read (v1alpha1 as it is), a corrupt
// file is reported beside the good ones, every change is refused, and the directory is left
// exactly as it was — where NewFileRecords would migrate and clean it.
func TestOpenFileRecordsReadOnly(t *testing.T) {
	dir := t.TempDir()
	var wantIntents []pullmanager.PullIntent
	var wantRecords []pullmanager.PulledRecord
	for i, f := range kubeletFiles {
		content := f.content
		if i%2 == 0 {
			content = strings.Replace(content, apiVersionV1beta1, apiVersionV1alpha1, 1)
		}
		require.NoError(t, os.MkdirAll(filepath.Join(dir, f.dir), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(dir, f.dir, f.name), []byte(content), 0o600))
		if f.record != nil {
			wantRecords = append(wantRecords, *f.record)
		} else {
			wantIntents = append(wantIntents, pullmanager.PullIntent{Image: f.intent})
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pulled", kubeletFiles[2].name+".123.tmp"), []byte(`{"kind":`), 0o600))
	garbage := filepath.Join(dir, "pulled", recordFileName("garbage"))
	require.NoError(t, os.WriteFile(garbage, []byte(`not json`), 0o600))
	before := dirState(t, dir)

	r, err := OpenFileRecordsReadOnly(dir)
	require.NoError(t, err)

	intents, err := r.ListPullIntents()
	require.NoError(t, err)
	assert.ElementsMatch(t, wantIntents, intents)
	records, err := r.ListPulledRecords()
	require.ErrorIs(t, err, pullmanager.ErrCorruptRecord)
	assert.Contains(t, err.Error(), garbage)
	assert.ElementsMatch(t, wantRecords, records, "the good records are read beside the corrupt one")
	rec, ok, err := r.GetPulledRecord("testimageref")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, *kubeletFiles[3].record, rec)

	for name, write := range map[string]func() error{
		"WritePullIntent":    func() error { return r.WritePullIntent("nginx") },
		"DeletePullIntent":   func() error { return r.DeletePullIntent(kubeletFiles[0].intent) },
		"WritePulledRecord":  func() error { return r.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "x"}) },
		"DeletePulledRecord": func() error { return r.DeletePulledRecord("testimageref") },
	} {
		assert.ErrorIs(t, write(), ErrReadOnly, name)
	}
	assert.Equal(t, before, dirState(t, dir), "nothing in the directory changed")
}

func TestOpenFileRecordsReadOnlyDirectories(t *testing.T) {
	empty := t.TempDir()
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	for _, tc := range []struct {
		name    string
		dir     string
		wantErr string // "" for success
	}{
		{"empty directory reads as no records", empty, ""},
		{"missing directory", filepath.Join(empty, "missing"), "no such file or directory"},
		{"a file", file, "is not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := OpenFileRecordsReadOnly(tc.dir)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			intents, err := r.ListPullIntents()
			require.NoError(t, err)
			assert.Empty(t, intents)
			records, err := r.ListPulledRecords()
			require.NoError(t, err)
			assert.Empty(t, records)
			entries, err := os.ReadDir(tc.dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "no pulling/ or pulled/ was created")
		})
	}
}
