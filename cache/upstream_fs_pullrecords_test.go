package cache_test

// The kubelet's own test of its file records accessor, translated case by case from
// k8s.io/kubernetes v1.37.2 (identical in v1.36.3):
// pkg/kubelet/images/pullmanager/fs_pullrecords_test.go. Names and expectations are
// upstream's; NewFSPullRecordsAccessor(kubeletDir) is NewFileRecords(kubeletDir/image_manager).
//
// Counts: TestNewFSPullRecordsAccessor (:29), 9 cases translated, all passing, none left out.
// Upstream's wantErr is false in every case (its "TODO: do I ever want an error?").

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
)

// fs_pullrecords_test.go:29 TestNewFSPullRecordsAccessor.
func TestUpstreamNewFSPullRecordsAccessor(t *testing.T) {
	toBeta := func(s string) string {
		return strings.Replace(s, "kubelet.config.k8s.io/v1alpha1", "kubelet.config.k8s.io/v1beta1", 1)
	}
	tests := []struct {
		name            string
		initRoot        bool
		initIntents     []string
		initPulled      []string
		modIntent       func(string) string
		modPulledRecord func(string) string
	}{
		{name: "kubelet root dir does not exist", initRoot: false},
		{name: "kubelet root dir exists", initRoot: true},
		{name: "only alpha intents", initRoot: true,
			initIntents: []string{
				"sha256-6da3dced7eccc7ad0189517c31ec2235b50f730449d738d91525721f7e027fd4",
				"sha256-b6e1482bb6cb030924530b918e609fff30bbb07ab6845451d89deb823c3f72a9",
			},
			modIntent: toBeta},
		{name: "alpha and beta intents mixed", initRoot: true,
			initIntents: []string{
				"sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56",
				"sha256-6da3dced7eccc7ad0189517c31ec2235b50f730449d738d91525721f7e027fd4",
				"sha256-ee81caca15454863449fb55a1d942904d56d5ed9f9b20a7cb3453944ea2c7e11",
				"sha256-b6e1482bb6cb030924530b918e609fff30bbb07ab6845451d89deb823c3f72a9",
			},
			modIntent: toBeta},
		{name: "only beta intents", initRoot: true,
			initIntents: []string{
				"sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56",
				"sha256-ee81caca15454863449fb55a1d942904d56d5ed9f9b20a7cb3453944ea2c7e11",
				"sha256-f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af",
			}},
		{name: "only alpha pulled records", initRoot: true,
			initPulled: []string{
				"sha256-7045bdd498b0e4b3963d50f906793ffbd68dc98686ec46c5b499a0a640a560b2",
				"sha256-dd1dd8dc6a329b7e1c2e43951302b23a047cb20fd3e10090e4ce7e8396035405",
			},
			modPulledRecord: toBeta},
		{name: "alpha and beta pulled records mixed", initRoot: true,
			initPulled: []string{
				"sha256-7045bdd498b0e4b3963d50f906793ffbd68dc98686ec46c5b499a0a640a560b2",
				"sha256-38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd",
				"sha256-dd1dd8dc6a329b7e1c2e43951302b23a047cb20fd3e10090e4ce7e8396035405",
				"sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a",
				"sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991",
			},
			modPulledRecord: toBeta},
		{name: "only beta pulled records", initRoot: true,
			initPulled: []string{
				"sha256-38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd",
				"sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a",
				"sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991",
			}},
		{name: "everything altogether", initRoot: true,
			initIntents: []string{
				"sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56",
				"sha256-6da3dced7eccc7ad0189517c31ec2235b50f730449d738d91525721f7e027fd4",
				"sha256-ee81caca15454863449fb55a1d942904d56d5ed9f9b20a7cb3453944ea2c7e11",
				"sha256-b6e1482bb6cb030924530b918e609fff30bbb07ab6845451d89deb823c3f72a9",
			},
			modIntent: toBeta,
			initPulled: []string{
				"sha256-7045bdd498b0e4b3963d50f906793ffbd68dc98686ec46c5b499a0a640a560b2",
				"sha256-38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd",
				"sha256-dd1dd8dc6a329b7e1c2e43951302b23a047cb20fd3e10090e4ce7e8396035405",
				"sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a",
				"sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991",
			},
			modPulledRecord: toBeta},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kubeletDir := t.TempDir()
			if !tt.initRoot {
				kubeletDir = filepath.Join(kubeletDir, "does-not-exist", "level2dir")
			}
			intentsDir := filepath.Join(kubeletDir, "image_manager", "pulling")
			pulledRecordsDir := filepath.Join(kubeletDir, "image_manager", "pulled")

			expectedIntents := teeTestData(t, intentsDir, "pulling", tt.initIntents)
			if tt.modIntent != nil {
				for i := range expectedIntents {
					expectedIntents[i] = tt.modIntent(expectedIntents[i])
				}
			}
			pulledRecordBytes := teeTestData(t, pulledRecordsDir, "pulled", tt.initPulled)
			if tt.modPulledRecord != nil {
				for i := range pulledRecordBytes {
					pulledRecordBytes[i] = tt.modPulledRecord(pulledRecordBytes[i])
				}
			}

			_, err := cache.NewFileRecords(filepath.Join(kubeletDir, "image_manager"))
			require.NoError(t, err)

			for _, dir := range []string{"image_manager", filepath.Join("image_manager", "pulling"), filepath.Join("image_manager", "pulled")} {
				info, err := os.Stat(filepath.Join(kubeletDir, dir))
				if assert.NoError(t, err, dir) {
					assert.True(t, info.IsDir(), "%q is not a directory", dir)
				}
			}
			for intent, expectedContent := range expectedIntents {
				testFileContentMatch(t, filepath.Join(intentsDir, intent), expectedContent)
			}
			for pulled, expectedContent := range pulledRecordBytes {
				testFileContentMatch(t, filepath.Join(pulledRecordsDir, pulled), expectedContent)
			}
		})
	}
}

// testFileContentMatch is upstream's (fs_pullrecords_test.go:193): the exact bytes.
func testFileContentMatch(t *testing.T, filePath, expectedContent string) {
	t.Helper()
	b, err := os.ReadFile(filePath)
	require.NoError(t, err)
	assert.Equal(t, expectedContent, string(b), "file contents of %q", filePath)
}
