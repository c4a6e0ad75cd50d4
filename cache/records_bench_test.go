package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

const benchRecords = 10_000

// benchFileRecords returns FileRecords holding benchRecords pulled records (one Secret each)
// and as many intents, written directly so that setup does not pay for fsync.
func benchFileRecords(b *testing.B) *FileRecords {
	b.Helper()
	dir := b.TempDir()
	r, err := NewFileRecords(dir)
	if err != nil {
		b.Fatal(err)
	}
	for i := range benchRecords {
		data, err := encodeRecord(benchRecord(i), apiVersionV1beta1)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(r.pulledDir, recordFileName(benchRef(i))), data, 0o600); err != nil {
			b.Fatal(err)
		}
		data, _ = encodeIntent(benchImage(i), apiVersionV1beta1)
		if err := os.WriteFile(filepath.Join(r.pullingDir, recordFileName(benchImage(i))), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	flushDisk()
	return r
}

func benchRef(i int) string   { return fmt.Sprintf("sha256:%064x", i) }
func benchImage(i int) string { return fmt.Sprintf("registry.example.com/team/app-%d:v1", i) }

func benchRecord(i int) pullmanager.PulledRecord {
	return pullmanager.PulledRecord{LastUpdatedTime: kubeletTime, ImageRef: benchRef(i),
		CredentialMapping: map[string]pullmanager.ImagePullCredentials{
			fmt.Sprintf("registry.example.com/team/app-%d", i): {KubernetesSecrets: []pullmanager.ImagePullSecret{kubeletSecret}}}}
}

func BenchmarkFileRecordsGetPulledRecord(b *testing.B) {
	r := benchFileRecords(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok, err := r.GetPulledRecord(benchRef(i % benchRecords)); err != nil || !ok {
			b.Fatal(ok, err)
		}
		i++
	}
}

func BenchmarkFileRecordsPullIntentExists(b *testing.B) {
	r := benchFileRecords(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if ok, err := r.PullIntentExists(benchImage(i % benchRecords)); err != nil || !ok {
			b.Fatal(ok, err)
		}
		i++
	}
}

func BenchmarkFileRecordsGetPulledRecordMiss(b *testing.B) {
	r := benchFileRecords(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := r.GetPulledRecord("sha256:absent"); err != nil || ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkFileRecordsWritePulledRecord includes the two fsyncs of an atomic write; its time
// depends mostly on the disk.
func BenchmarkFileRecordsWritePulledRecord(b *testing.B) {
	r := benchFileRecords(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := r.WritePulledRecord(benchRecord(i % benchRecords)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkFileRecordsListPulledRecords(b *testing.B) {
	r := benchFileRecords(b)
	b.ReportAllocs()
	for b.Loop() {
		recs, err := r.ListPulledRecords()
		if err != nil || len(recs) != benchRecords {
			b.Fatal(len(recs), err)
		}
	}
}

// BenchmarkVerifierFileRecords is MustAttemptImagePull for a present image with a matching
// Secret, records on disk.
func BenchmarkVerifierFileRecords(b *testing.B) {
	r := benchFileRecords(b)
	v, err := pullmanager.New(pullmanager.Config{Records: r})
	if err != nil {
		b.Fatal(err)
	}
	creds := func() (pullmanager.PodCredentials, error) {
		return pullmanager.PodCredentials{Secrets: []pullmanager.ImagePullSecret{kubeletSecret}}, nil
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		n := i % benchRecords
		if must, err := v.MustAttemptImagePull(b.Context(), benchImage(n), benchRef(n), creds); err != nil || must {
			b.Fatal(must, err)
		}
		i++
	}
}

func BenchmarkCachedFileRecordsGetPulledRecord(b *testing.B) {
	r := NewCachedRecords(benchFileRecords(b), &CachedRecordsOptions{MaxRecords: 2000}) // 10,000 records > 2,000: not authoritative
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok, err := r.GetPulledRecord(benchRef(i % 1000)); err != nil || !ok { // a hot set that fits
			b.Fatal(ok, err)
		}
		i++
	}
}
