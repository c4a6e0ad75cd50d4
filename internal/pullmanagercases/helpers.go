package pullmanagercases

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// AssertRecord compares records as upstream's reflect.DeepEqual on the kubelet's types does,
// except that a nil and an empty list or map are equal (the kubelet's JSON cannot tell them
// apart either).
func AssertRecord(t *testing.T, want, got pullmanager.PulledRecord) {
	t.Helper()
	if !want.Equal(got) {
		assert.Equal(t, want, got)
	}
}

// CountingRecords counts pulled-record writes (upstream's
// testWriteCountingFSPullRecordsAccessor).
type CountingRecords struct {
	pullmanager.PullRecords
	Writes int
}

// WritePulledRecord counts the write and passes it on.
func (c *CountingRecords) WritePulledRecord(r pullmanager.PulledRecord) error {
	c.Writes++
	return c.PullRecords.WritePulledRecord(r)
}
