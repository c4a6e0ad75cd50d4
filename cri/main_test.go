package cri_test

import (
	"os"
	"testing"

	"github.com/imagepull/imagepull/internal/critest"
)

// TestMain says in one line, visible without -v, when the tests that need a container runtime
// were skipped, so that a green run without a runtime is never mistaken for a tested one.
func TestMain(m *testing.M) {
	code := m.Run()
	critest.ReportSkipped("cri")
	os.Exit(code)
}
