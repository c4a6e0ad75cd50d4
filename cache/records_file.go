package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"

	"github.com/imagepull/imagepull/internal/safefile"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

var (
	_ pullmanager.PullRecords   = (*FileRecords)(nil)
	_ pullmanager.UsageReporter = (*FileRecords)(nil)
)

const (
	recordPrefix = "sha256-"
	tmpSuffix    = ".tmp"
)

// FileRecords is a [pullmanager.PullRecords] on disk, in the kubelet's own layout and format,
// so that it can read and write /var/lib/kubelet/image_manager:
//
//	<dir>/pulling/sha256-<hex sha256 of the image string>   ImagePullIntent
//	<dir>/pulled/sha256-<hex sha256 of the imageRef>        ImagePulledRecord
//
// Files are compact JSON of kubelet.config.k8s.io/v1beta1 (v1alpha1 is read too), decoded
// strictly: an unknown field makes the record corrupt. The directory goes through the same
// states as the kubelet's, file for file and byte for byte: every write goes to
// "<name>.tmp" and is renamed over the target (fs_pullrecords.go:290), an intent is written
// before its pull and its file removed once the pull's record is written or the pull failed,
// so a node can switch between the kubelet and a program built on this package at any
// instant, a crash included. A crash leaves the old file or the new one, never a torn one.
// A record that cannot be decoded is reported as an error matching
// [pullmanager.ErrCorruptRecord], which makes the [pullmanager.Manager] force a pull, never
// pass silently. So is anything but a regular file where a record should be: a symlink
// (wherever it points), a FIFO, a device, a directory, or a file over [MaxRecordFileSize].
// Reading never blocks and never reads more than that size.
//
// Like the kubelet, FileRecords does not fsync by default: a killed process loses nothing
// (the kernel has the data), and on a journaling file system with ordered data (ext4's
// default) the intent, record and removal reach the disk in the order they were made, so
// after a power loss an image has its record or its intent, or the record is torn and forces
// a pull. [FileRecordsOptions].Sync flushes every write for other file systems.
//
// A FileRecords is safe for concurrent use; the directory must not be written by another
// process at the same time (the kubelet's included).
type FileRecords struct {
	pullingDir string
	pulledDir  string
	fs         fileSystem
	sync       bool
	locks      [64]sync.Mutex // by file name: a write's temporary name is fixed, as the kubelet's
}

// FileRecordsOptions configures [OpenFileRecords]. The zero value, or nil, is the kubelet's
// behaviour.
type FileRecordsOptions struct {
	// Sync flushes every file to disk before renaming it into place, and the directory after
	// (fsync, about 4 ms a write on an ordinary disk). The kubelet does not; set it when the
	// records live on a file system that may reorder writes across a power loss.
	Sync bool
}

// NewFileRecords opens the records under dir (the kubelet's is
// /var/lib/kubelet/image_manager) with the kubelet's behaviour: [OpenFileRecords] with nil
// options.
func NewFileRecords(dir string) (*FileRecords, error) {
	return OpenFileRecords(dir, nil)
}

// OpenFileRecords opens the records under dir, creating dir/pulling and dir/pulled with mode
// 0700 when missing. Like the kubelet at startup, it rewrites v1alpha1 files as v1beta1; it
// also removes temporary files left by an interrupted write.
func OpenFileRecords(dir string, opts *FileRecordsOptions) (*FileRecords, error) {
	r, err := openFileRecords(dir, osFS{})
	if err != nil {
		return nil, err
	}
	if opts != nil {
		r.sync = opts.Sync
	}
	return r, nil
}

func openFileRecords(dir string, fsys fileSystem) (*FileRecords, error) {
	r := &FileRecords{pullingDir: filepath.Join(dir, "pulling"), pulledDir: filepath.Join(dir, "pulled"), fs: fsys}
	for _, d := range []string{r.pullingDir, r.pulledDir} {
		if err := fsys.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	r.removeTemporaryFiles()
	r.migrate()
	return r, nil
}

// lock locks the file name (a record or intent file's base name) and returns its unlock.
func (r *FileRecords) lock(name string) func() {
	h := uint32(2166136261) // FNV-1a, inline: no allocation
	for i := 0; i < len(name); i++ {
		h = (h ^ uint32(name[i])) * 16777619
	}
	l := &r.locks[h%uint32(len(r.locks))]
	l.Lock()
	return l.Unlock
}

// writeFile writes data to dir/name under name's lock.
func (r *FileRecords) writeFile(dir, name string, data []byte) error {
	defer r.lock(name)()
	return writeRecordFile(r.fs, dir, name, data, r.sync)
}

// recordFileName is the kubelet's file name for a key: "sha256-" and the hex SHA-256 of it.
func recordFileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return recordPrefix + hex.EncodeToString(sum[:])
}

// isRecordFile reports whether a directory entry is a record file, not a directory, a
// temporary file or a foreign file.
func isRecordFile(e fs.DirEntry) bool {
	name := e.Name()
	return !e.IsDir() && strings.HasPrefix(name, recordPrefix) && !strings.HasSuffix(name, tmpSuffix)
}

func corrupt(path string, err error) error {
	return fmt.Errorf("%w: %s: %v", pullmanager.ErrCorruptRecord, path, err)
}

// readRecordFile reads the record file at path. Anything but a regular file of sane size
// (a symlink, wherever it points; a FIFO, a device, a directory; a file over
// [MaxRecordFileSize]) is a corrupt record: it must force a pull, never be trusted or block.
func (r *FileRecords) readRecordFile(path string) ([]byte, error) {
	data, err := r.fs.ReadFile(path)
	if errors.Is(err, safefile.ErrNotRegular) || errors.Is(err, safefile.ErrTooLarge) {
		return nil, corrupt(path, err)
	}
	return data, err
}

// WritePullIntent writes the intent file for image.
func (r *FileRecords) WritePullIntent(image string) error {
	data, err := encodeIntent(image, apiVersionV1beta1)
	if err != nil {
		return err
	}
	return r.writeFile(r.pullingDir, recordFileName(image), data)
}

// PullIntentExists reports whether the intent file for image exists and names image.
func (r *FileRecords) PullIntentExists(image string) (bool, error) {
	path := filepath.Join(r.pullingDir, recordFileName(image))
	data, err := r.readRecordFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	intent, _, err := decodeIntent(data)
	if err != nil {
		return false, corrupt(path, err)
	}
	return intent.Image == image, nil
}

// DeletePullIntent removes the intent file for image.
func (r *FileRecords) DeletePullIntent(image string) error {
	name := recordFileName(image)
	defer r.lock(name)()
	return r.remove(filepath.Join(r.pullingDir, name))
}

// Close releases what r holds: nothing today, as every file is closed after each use. It is
// safe to call more than once, and r stays usable.
func (r *FileRecords) Close() error { return nil }

// ListPullIntents decodes every intent file, in file-name order.
func (r *FileRecords) ListPullIntents() ([]pullmanager.PullIntent, error) {
	var out []pullmanager.PullIntent
	err := r.eachFile(r.pullingDir, func(path string, data []byte) error {
		intent, _, err := decodeIntent(data)
		if err != nil {
			return corrupt(path, err)
		}
		out = append(out, intent)
		return nil
	})
	return out, err
}

// GetPulledRecord reads the record for imageRef. A file whose record names another image is
// not found.
func (r *FileRecords) GetPulledRecord(imageRef string) (pullmanager.PulledRecord, bool, error) {
	path := filepath.Join(r.pulledDir, recordFileName(imageRef))
	data, err := r.readRecordFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return pullmanager.PulledRecord{}, false, nil
	case errors.Is(err, pullmanager.ErrCorruptRecord):
		return pullmanager.PulledRecord{}, true, err
	case err != nil:
		return pullmanager.PulledRecord{}, false, err
	}
	rec, _, err := decodeRecord(data)
	if err != nil {
		return pullmanager.PulledRecord{}, true, corrupt(path, err)
	}
	if rec.ImageRef != imageRef {
		return pullmanager.PulledRecord{}, false, nil
	}
	return rec, true, nil
}

// WritePulledRecord writes rec to the file of rec.ImageRef.
func (r *FileRecords) WritePulledRecord(rec pullmanager.PulledRecord) error {
	data, err := encodeRecord(rec, apiVersionV1beta1)
	if err != nil {
		return fmt.Errorf("failed to serialize ImagePulledRecord: %w", err)
	}
	return r.writeFile(r.pulledDir, recordFileName(rec.ImageRef), data)
}

// DeletePulledRecord removes the record file for imageRef.
func (r *FileRecords) DeletePulledRecord(imageRef string) error {
	name := recordFileName(imageRef)
	defer r.lock(name)()
	return r.remove(filepath.Join(r.pulledDir, name))
}

// ListPulledRecords decodes every record file, in file-name order.
func (r *FileRecords) ListPulledRecords() ([]pullmanager.PulledRecord, error) {
	var out []pullmanager.PulledRecord
	err := r.eachFile(r.pulledDir, func(path string, data []byte) error {
		rec, _, err := decodeRecord(data)
		if err != nil {
			return corrupt(path, err)
		}
		out = append(out, rec)
		return nil
	})
	return out, err
}

// Usage counts the intent and record files (the kubelet's kubelet_imagemanager_ondisk_*
// metrics), without reading them. It implements [pullmanager.UsageReporter].
func (r *FileRecords) Usage() (pullmanager.Usage, error) {
	intents, err1 := r.countFiles(r.pullingDir)
	records, err2 := r.countFiles(r.pulledDir)
	return pullmanager.Usage{Intents: intents, Records: records}, errors.Join(err1, err2)
}

// countFiles counts the record files of dir.
func (r *FileRecords) countFiles(dir string) (int, error) {
	entries, err := r.fs.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("failed to count the records in %q: %w", dir, err)
	}
	n := 0
	for _, e := range entries {
		if isRecordFile(e) {
			n++
		}
	}
	return n, nil
}

func (r *FileRecords) remove(path string) error {
	if err := r.fs.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// eachFile calls fn with every record file of dir and its content, and joins the errors.
func (r *FileRecords) eachFile(dir string, fn func(path string, data []byte) error) error {
	entries, err := r.fs.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if !isRecordFile(e) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := r.readRecordFile(path)
		if errors.Is(err, pullmanager.ErrCorruptRecord) {
			errs = append(errs, err)
			continue
		} else if err != nil {
			errs = append(errs, fmt.Errorf("failed to read %q: %w", path, err))
			continue
		}
		if err := fn(path, data); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeTemporaryFiles deletes the ".tmp" files an interrupted write left behind.
func (r *FileRecords) removeTemporaryFiles() {
	for _, dir := range []string{r.pullingDir, r.pulledDir} {
		entries, _ := r.fs.ReadDir(dir)
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), tmpSuffix) {
				_ = r.fs.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
}

// migrate rewrites v1alpha1 files as v1beta1, as the kubelet does at startup. Files that do
// not decode are left alone: reading them reports the problem.
func (r *FileRecords) migrate() {
	_ = r.eachFile(r.pullingDir, func(path string, data []byte) error {
		intent, version, err := decodeIntent(data)
		if err != nil || version != apiVersionV1alpha1 {
			return nil
		}
		if out, err := encodeIntent(intent.Image, apiVersionV1beta1); err == nil {
			_ = r.writeFile(r.pullingDir, filepath.Base(path), out)
		}
		return nil
	})
	_ = r.eachFile(r.pulledDir, func(path string, data []byte) error {
		rec, version, err := decodeRecord(data)
		if err != nil || version != apiVersionV1alpha1 {
			return nil
		}
		if out, err := encodeRecord(rec, apiVersionV1beta1); err == nil {
			_ = r.writeFile(r.pulledDir, filepath.Base(path), out)
		}
		return nil
	})
}
