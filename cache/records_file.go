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
// strictly: an unknown field makes the record corrupt. Writes are atomic (temporary file,
// fsync, rename, directory fsync), so a crash leaves the old record or the new one. A record
// that cannot be decoded is reported as an error matching [pullmanager.ErrCorruptRecord], which
// makes the [pullmanager.Manager] force a pull, never pass silently. So is anything but a
// regular file where a record should be: a symlink (wherever it points), a FIFO, a device, a
// directory, or a file over [MaxRecordFileSize]. Reading never blocks and never reads more than
// that size.
//
// Intents are written durably (fsync) before a pull, as crash safety requires: after a crash,
// an image on the node has a record or an intent. Unlike the kubelet, FileRecords does not
// remove the file of an intent it wrote when the intent is deleted: it marks it deleted in
// memory (every method then answers as if the file were gone) and revives it without I/O at
// the next pull of the same image string, so that repeated pulls (policy Always) cost no
// intent I/O at all while a durable intent still exists before every pull. At most 1,024 such
// files are kept; [FileRecords.Close] removes them. After a crash they are read as intents,
// like those of pulls in flight: the kubelet's own state after a crash mid-pull.
//
// A FileRecords is safe for concurrent use; the directory must not be written by another
// process at the same time (the kubelet's included).
type FileRecords struct {
	pullingDir string
	pulledDir  string
	fs         fileSystem

	mu      sync.Mutex          // protects written and dormant
	written map[string]struct{} // intents this FileRecords wrote (durably) and that are live
	dormant map[string]struct{} // intents deleted in memory whose files stay on disk
}

// maxDormantIntents bounds the intents [FileRecords] keeps on disk after their deletion; past
// it, the file of an arbitrary dormant intent is removed.
const maxDormantIntents = 1024

// NewFileRecords opens the records under dir (the kubelet's is
// /var/lib/kubelet/image_manager), creating dir/pulling and dir/pulled with mode 0700 when
// missing. Like the kubelet at startup, it rewrites v1alpha1 files as v1beta1; it also removes
// temporary files left by an interrupted write.
func NewFileRecords(dir string) (*FileRecords, error) {
	return openFileRecords(dir, osFS{})
}

func openFileRecords(dir string, fsys fileSystem) (*FileRecords, error) {
	r := &FileRecords{pullingDir: filepath.Join(dir, "pulling"), pulledDir: filepath.Join(dir, "pulled"), fs: fsys,
		written: make(map[string]struct{}), dormant: make(map[string]struct{})}
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

// WritePullIntent writes the intent for image, durably (see [FileRecords] for when an intent
// file written before is reused without I/O).
func (r *FileRecords) WritePullIntent(image string) error {
	r.mu.Lock()
	if _, ok := r.dormant[image]; ok { // its file is on disk, durably: revive it
		delete(r.dormant, image)
		r.written[image] = struct{}{}
		r.mu.Unlock()
		return nil
	}
	r.mu.Unlock()
	data, err := encodeIntent(image, apiVersionV1beta1)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(r.fs, r.pullingDir, recordFileName(image), data); err != nil {
		return err
	}
	r.mu.Lock()
	r.written[image] = struct{}{}
	r.mu.Unlock()
	return nil
}

// isDormant reports whether image's intent was deleted in memory only.
func (r *FileRecords) isDormant(image string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.dormant[image]
	return ok
}

// PullIntentExists reports whether the intent file for image exists and names image.
func (r *FileRecords) PullIntentExists(image string) (bool, error) {
	if r.isDormant(image) {
		return false, nil
	}
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

// DeletePullIntent removes the intent for image. An intent this FileRecords wrote itself is
// removed in memory only and its file kept for the next pull of image (see [FileRecords]).
func (r *FileRecords) DeletePullIntent(image string) error {
	r.mu.Lock()
	if _, ok := r.written[image]; ok {
		delete(r.written, image)
		var evict string
		if len(r.dormant) >= maxDormantIntents {
			for k := range r.dormant { // an arbitrary one: map order is random
				evict = k
				break
			}
			delete(r.dormant, evict)
		}
		r.dormant[image] = struct{}{}
		r.mu.Unlock()
		if evict != "" {
			return r.remove(filepath.Join(r.pullingDir, recordFileName(evict)))
		}
		return nil
	}
	delete(r.dormant, image)
	r.mu.Unlock()
	return r.remove(filepath.Join(r.pullingDir, recordFileName(image)))
}

// Close removes the files of the intents deleted in memory only, so that a clean shutdown
// leaves exactly the intents of unfinished pulls, as the kubelet would. r stays usable.
// Without Close (a crash), those files stay: at the next start they count as intents of
// pulls that may have been in flight, which makes verification stricter, never laxer.
func (r *FileRecords) Close() error {
	r.mu.Lock()
	images := make([]string, 0, len(r.dormant))
	for image := range r.dormant {
		images = append(images, image)
	}
	clear(r.dormant)
	r.mu.Unlock()
	var errs []error
	for _, image := range images {
		errs = append(errs, r.remove(filepath.Join(r.pullingDir, recordFileName(image))))
	}
	return errors.Join(errs...)
}

// ListPullIntents decodes every intent file, in file-name order.
func (r *FileRecords) ListPullIntents() ([]pullmanager.PullIntent, error) {
	var out []pullmanager.PullIntent
	err := r.eachFile(r.pullingDir, func(path string, data []byte) error {
		intent, _, err := decodeIntent(data)
		if err != nil {
			return corrupt(path, err)
		}
		if !r.isDormant(intent.Image) {
			out = append(out, intent)
		}
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

// Usage counts the intent and record files (the kubelet's kubelet_imagemanager_ondisk_*
// metrics), without reading them; the kept files of deleted intents are not counted. It
// implements [pullmanager.UsageReporter].
func (r *FileRecords) Usage() (pullmanager.Usage, error) {
	intents, err1 := r.countFiles(r.pullingDir)
	records, err2 := r.countFiles(r.pulledDir)
	r.mu.Lock()
	intents = max(intents-len(r.dormant), 0) // kept files of deleted intents do not count
	r.mu.Unlock()
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
