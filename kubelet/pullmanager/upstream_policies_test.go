package pullmanager

// The kubelet's own tests of its verification policies, translated case by case from
// k8s.io/kubernetes v1.37.2 (identical in v1.36.3):
// pkg/kubelet/images/pullmanager/image_pull_policies_test.go. Names and expectations are
// upstream's. Counts: 2 + 22 + 20 cases translated, all passing, none left out.

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// image_pull_policies_test.go:24 TestNeverVerifyPreloadedPullPolicy.
func TestUpstreamNeverVerifyPreloadedPullPolicy(t *testing.T) {
	tests := []struct {
		name              string
		imageRecordsExist bool
		want              bool
	}{
		{name: "there are no records about the image being pulled", imageRecordsExist: false, want: false},
		{name: "there are records about the image being pulled", imageRecordsExist: true, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, requiresVerification(NeverVerifyPreloadedImages, allowlist{}, "test-image:sometag", tt.imageRecordsExist))
		})
	}
}

// image_pull_policies_test.go:50 TestNewNeverVerifyAllowListedPullPolicy.
func TestUpstreamNewNeverVerifyAllowListedPullPolicy(t *testing.T) {
	const basicTestImage = "test.io/test/test-image:tag"
	const dgst = "sha256:38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd"
	tests := []struct {
		name              string
		imageRecordsExist bool
		inputImage        string
		allowlist         []string
		expectedAbsolutes int
		expectedWildcards int
		want              bool
		wantErr           bool
	}{
		{name: "there are no records about the image being pulled, not in allowlist", inputImage: basicTestImage, want: true,
			allowlist: []string{"test.io/test/image1", "test.io/test/image2", "test.io/test/image3"}, expectedAbsolutes: 3},
		{name: "there are records about the image being pulled, not in allowlist", imageRecordsExist: true, inputImage: basicTestImage, want: true,
			allowlist: []string{"test.io/test/image1", "test.io/test/image3", "test.io/test/image2", "test.io/test/image3"}, expectedAbsolutes: 3},
		{name: "there are no records about the image being pulled, appears in allowlist", inputImage: basicTestImage, want: false,
			allowlist: []string{"test.io/test/image1", "test.io/test/image2", "test.io/test/test-image", "test.io/test/image3"}, expectedAbsolutes: 4},
		{name: "there are records about the image being pulled, appears in allowlist", imageRecordsExist: true, inputImage: basicTestImage, want: false,
			allowlist: []string{"test.io/test/image1", "test.io/test/image2", "test.io/test/test-image", "test.io/test/image3"}, expectedAbsolutes: 4},
		{name: "invalid allowlist pattern - wildcard in the middle", inputImage: basicTestImage, wantErr: true, allowlist: []string{"image.repo/pokus*/imagename"}},
		{name: "invalid allowlist pattern - trailing non-segment wildcard middle", inputImage: basicTestImage, wantErr: true, allowlist: []string{"image.repo/pokus*"}},
		{name: "invalid allowlist pattern - wildcard path segment in the middle", inputImage: basicTestImage, wantErr: true, allowlist: []string{"image.repo/*/imagename"}},
		{name: "invalid allowlist pattern - only wildcard segment", inputImage: basicTestImage, wantErr: true, allowlist: []string{"/*"}},
		{name: "invalid allowlist pattern - ends with a '/'", inputImage: basicTestImage, wantErr: true, allowlist: []string{"image.repo/"}},
		{name: "invalid allowlist pattern - empty", inputImage: basicTestImage, wantErr: true, allowlist: []string{""}},
		{name: "invalid allowlist pattern - asterisk", inputImage: basicTestImage, wantErr: true, allowlist: []string{"*"}},
		{name: "invalid allowlist pattern - image with a tag", inputImage: basicTestImage, wantErr: true, allowlist: []string{"test.io/test/image1:tagged"}},
		{name: "invalid allowlist pattern - image with a digest", inputImage: basicTestImage, wantErr: true, allowlist: []string{"test.io/test/image1@" + dgst}},
		{name: "invalid allowlist pattern - trailing whitespace", inputImage: basicTestImage, wantErr: true, allowlist: []string{"test.io/test/image1 "}},
		{name: "there are no records about the image being pulled, not in allowlist - different repo wildcard", inputImage: basicTestImage, want: true,
			allowlist: []string{"test.io/test/image1", "test.io/test/image2", "different.repo/test/*"}, expectedAbsolutes: 2, expectedWildcards: 1},
		{name: "there are no records about the image being pulled, not in allowlist - matches org wildcard", inputImage: basicTestImage, want: false,
			allowlist: []string{"test.io/test/image1", "test.io/test/image2", "test.io/test/*"}, expectedAbsolutes: 2, expectedWildcards: 1},
		{name: "there are no records about the image being pulled, not in allowlist - matches repo wildcard", inputImage: basicTestImage, want: false,
			allowlist: []string{"test.io/test/image1", "test.io/test/image2", "test.io/*"}, expectedAbsolutes: 2, expectedWildcards: 1},
		{name: "'familiar' image name with docker-disambiguated fqdn in the allowlist - not a match", inputImage: "ubuntu", want: true,
			allowlist: []string{"docker.io/library/ubuntu"}, expectedAbsolutes: 1},
		{name: "'familiar' image name with docker-disambiguated wildcard in the allowlist - not a match", inputImage: "ubuntu", want: true,
			allowlist: []string{"docker.io/library/*"}, expectedWildcards: 1},
		{name: "'familiar' image name with 'familiar' image matching it in the allowlist", inputImage: "ubuntu", want: false,
			allowlist: []string{"ubuntu"}, expectedAbsolutes: 1},
		{name: "'familiar' image name with a tag with 'familiar' image matching it in the allowlist", inputImage: "ubuntu:tagged", want: false,
			allowlist: []string{"ubuntu"}, expectedAbsolutes: 1},
		{name: "'familiar' image name with a digest with 'familiar' image matching it in the allowlist", inputImage: "ubuntu@" + dgst, want: false,
			allowlist: []string{"ubuntu"}, expectedAbsolutes: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := newAllowlist(tt.allowlist)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrInvalidAllowlist)
				return
			}
			require.NoError(t, err)
			assert.Len(t, a.exact, tt.expectedAbsolutes)
			assert.Len(t, a.prefixes, tt.expectedWildcards)
			assert.Equal(t, tt.want, requiresVerification(NeverVerifyAllowlistedImages, a, tt.inputImage, tt.imageRecordsExist))
		})
	}
}

// image_pull_policies_test.go:250 TestTrimImageTagDigest, through the exported [RecordKey].
func TestUpstreamTrimImageTagDigest(t *testing.T) {
	const dgst = "sha256:38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd"
	tests := []struct {
		name    string
		image   string
		want    string
		wantErr bool
	}{
		{name: "'familiar' image name, no tag or digest", image: "myimage", want: "myimage"},
		{name: "'familiar' image name with tag", image: "myimage:latest", want: "myimage"},
		{name: "'familiar' image name with digest", image: "myimage@" + dgst, want: "myimage"},
		{name: "'familiar' image name with tag and digest", image: "myimage:v1@" + dgst, want: "myimage"},
		{name: "single path segment, no tag", image: "registry.io/myimage", want: "registry.io/myimage"},
		{name: "single path segment with tag", image: "registry.io/myimage:v1.0", want: "registry.io/myimage"},
		{name: "single path segment with digest", image: "registry.io/myimage@" + dgst, want: "registry.io/myimage"},
		{name: "single path segment with tag and digest", image: "registry.io/myimage:latest@" + dgst, want: "registry.io/myimage"},
		{name: "domain and two path segments, no tag", image: "registry.io/myorg/myimage", want: "registry.io/myorg/myimage"},
		{name: "domain and two path segments with tag", image: "registry.io/myorg/myimage:v2", want: "registry.io/myorg/myimage"},
		{name: "domain and two path segments with digest", image: "registry.io/myorg/myimage@" + dgst, want: "registry.io/myorg/myimage"},
		{name: "domain and two path segments with tag and digest", image: "registry.io/myorg/myimage:v2@" + dgst, want: "registry.io/myorg/myimage"},
		{name: "deep path and tag", image: "registry.io/a/b/c/myimage:latest", want: "registry.io/a/b/c/myimage"},
		{name: "image name ends with slash", image: "registry.io/myorg/", wantErr: true},
		{name: "last segment is only a tag", image: "registry.io/myorg/:tag", wantErr: true},
		{name: "last segment is only a digest", image: "registry.io/myorg/@" + dgst, wantErr: true},
		{name: "domain with port and tag", image: "localhost:5000/myimage:v1", want: "localhost:5000/myimage"},
		{name: "domain with port, org, and tag", image: "myregistry:5000/myorg/myimage:v1", want: "myregistry:5000/myorg/myimage"},
		{name: "multiple occurrences of tag", image: "docker.io/taghere/image:taghere", want: "docker.io/taghere/image"},
		{name: "multiple occurrences of digest",
			image: "registry.io/38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd/myorg/image@" + dgst,
			want:  "registry.io/38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd/myorg/image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RecordKey(tt.image)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
