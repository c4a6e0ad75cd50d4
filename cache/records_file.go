package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

var _ pullmanager.PullRecords = (*FileRecords)(nil)

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
// strictly: an unknown field makes the record corrupt. Writes are atomic (temporary file,
// fsync, rename, directory fsync), so a crash leaves the old record or the new one. A record
// that cannot be decoded is reported as an error matching [pullmanager.ErrCorruptRecord], which
// makes the [pullmanager.Manager] force a pull, never pass silently.
//
// A FileRecords is safe for concurrent use; the directory must not be written by another
// process at the same time (the kubelet's included).
type FileRecords struct {
	pullingDir string
	pulledDir  string
	fs         fileSystem
}

// NewFileRecords opens the records under dir (the kubelet's is
// /var/lib/kubelet/image_manager), creating dir/pulling and dir/pulled with mode 0700 when
// missing. Like the kubelet at startup, it rewrites v1alpha1 files as v1beta1; it also removes
// temporary files left by an interrupted write.
func NewFileRecords(dir string) (*FileRecords, error) {
	return openFileRecords(dir, osFS{})
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

// WritePullIntent writes the intent for image.
func (r *FileRecords) WritePullIntent(image string) error {
	data, err := encodeIntent(image, apiVersionV1beta1)
	if err != nil {
		return err
	}
	return writeFileAtomic(r.fs, r.pullingDir, recordFileName(image), data)
}

// PullIntentExists reports whether the intent file for image exists and names image.
func (r *FileRecords) PullIntentExists(image string) (bool, error) {
	path := filepath.Join(r.pullingDir, recordFileName(image))
	data, err := r.fs.ReadFile(path)
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
	return r.remove(filepath.Join(r.pullingDir, recordFileName(image)))
}

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
	data, err := r.fs.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return pullmanager.PulledRecord{}, false, nil
	} else if err != nil {
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
	return writeFileAtomic(r.fs, r.pulledDir, recordFileName(rec.ImageRef), data)
}

// DeletePulledRecord removes the record file for imageRef.
func (r *FileRecords) DeletePulledRecord(imageRef string) error {
	return r.remove(filepath.Join(r.pulledDir, recordFileName(imageRef)))
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
		data, err := r.fs.ReadFile(path)
		if err != nil {
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
			_ = writeFileAtomic(r.fs, r.pullingDir, filepath.Base(path), out)
		}
		return nil
	})
	_ = r.eachFile(r.pulledDir, func(path string, data []byte) error {
		rec, version, err := decodeRecord(data)
		if err != nil || version != apiVersionV1alpha1 {
			return nil
		}
		if out, err := encodeRecord(rec, apiVersionV1beta1); err == nil {
			_ = writeFileAtomic(r.fs, r.pulledDir, filepath.Base(path), out)
		}
		return nil
	})
}
