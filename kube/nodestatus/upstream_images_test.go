package nodestatus_test

// Translations of the kubelet v1.37.2's tests of Node.status.images:
//
//   - pkg/kubelet/nodestatus/setters_test.go:1104 TestImages: 6 cases, 6 translated (the error
//     case through List).
//   - pkg/kubelet/kubelet_node_status_test.go:192 TestUpdateNewNodeStatus: its 2 cases ("5 image
//     limit", "no image limit") translated for the images part; the rest of the node status
//     (capacity, conditions, addresses) is not this package's and is not expressible.
//   - kubelet_node_status_test.go:1593 TestUpdateNewNodeStatusTooLargeReservation: the image
//     part is the "5 image limit" case; not repeated.
//
// Upstream's lists are random (uuid IDs, random sizes and 6 to 20 tags); here they come from
// a fixed seed, and the expected list is built independently of the code under test, the way
// makeExpectedImageList (kubelet_node_status_test.go:93) builds it.

import (
	"context"
	"errors"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/kube/nodestatus"
	"github.com/imagepull/imagepull/pullpolicy"
)

const (
	minImageSize = 23 * 1024 * 1024
	maxImageSize = 1000 * 1024 * 1024
	maxTagsTest  = 20 // maxImageTagsForTest
)

// makeImageList is setters_test.go's makeImageList: numImages images of numTags tags each,
// of random sizes in [minSize, maxSize].
func makeImageList(rnd *rand.Rand, numImages, numTags int, minSize, maxSize int64) []pullpolicy.LocalImage {
	out := make([]pullpolicy.LocalImage, numImages)
	for i := range out {
		tags := make([]string, numTags)
		for j := range tags {
			tags[j] = "registry.k8s.io:v" + strconv.Itoa(j)
		}
		out[i] = pullpolicy.LocalImage{ID: "id-" + strconv.Itoa(i), RepoTags: tags, Size: minSize + rnd.Int64N(maxSize-minSize+1)}
	}
	return out
}

// expected is makeExpectedImageList: sort by size (then ID) descending, digests then tags,
// names cut, list cut.
func expected(images []pullpolicy.LocalImage, maxImages, maxNames int) []corev1.ContainerImage {
	sorted := append([]pullpolicy.LocalImage(nil), images...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Size == sorted[j].Size {
			return sorted[i].ID > sorted[j].ID
		}
		return sorted[i].Size > sorted[j].Size
	})
	var out []corev1.ContainerImage
	for _, img := range sorted {
		names := append(append([]string{}, img.RepoDigests...), img.RepoTags...)
		if len(names) > maxNames {
			names = names[:maxNames]
		}
		out = append(out, corev1.ContainerImage{Names: names, SizeBytes: img.Size})
	}
	if maxImages > -1 && maxImages < len(out) {
		out = out[:maxImages]
	}
	return out
}

func TestUpstreamImages(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		desc      string
		maxImages int
		images    []pullpolicy.LocalImage
		want      []corev1.ContainerImage // nil: expected()
	}{
		{desc: "max images enforced", maxImages: 1, images: makeImageList(rnd, 2, 1, minImageSize, maxImageSize)},
		{desc: "no max images cap for -1", maxImages: -1, images: makeImageList(rnd, 2, 1, minImageSize, maxImageSize)},
		{desc: "max names per image enforced", maxImages: -1, images: makeImageList(rnd, 1, nodestatus.MaxNamesPerImage+1, minImageSize, maxImageSize)},
		{
			desc: "images are sorted by size, descending", maxImages: -1,
			images: []pullpolicy.LocalImage{{Size: 3}, {Size: 1}, {Size: 4}, {Size: 2}},
			want:   []corev1.ContainerImage{{Names: []string{}, SizeBytes: 4}, {Names: []string{}, SizeBytes: 3}, {Names: []string{}, SizeBytes: 2}, {Names: []string{}, SizeBytes: 1}},
		},
		{
			desc: "repo digests and tags both show up in image names", maxImages: -1,
			images: []pullpolicy.LocalImage{{RepoDigests: []string{"foo", "bar"}, RepoTags: []string{"baz", "quux"}}},
			want:   []corev1.ContainerImage{{Names: []string{"foo", "bar", "baz", "quux"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			want := tt.want
			if want == nil {
				want = expected(tt.images, tt.maxImages, nodestatus.MaxNamesPerImage)
			}
			assert.Equal(t, want, nodestatus.Images(tt.images, tt.maxImages))
		})
	}
}

type listerFunc func(context.Context) ([]pullpolicy.LocalImage, error)

func (f listerFunc) ListImages(ctx context.Context) ([]pullpolicy.LocalImage, error) { return f(ctx) }

// "error getting image list, image list on node is reset to empty".
func TestUpstreamImagesListError(t *testing.T) {
	t.Parallel()
	foo := errors.New("foo")
	got, err := nodestatus.List(context.Background(), listerFunc(func(context.Context) ([]pullpolicy.LocalImage, error) {
		return nil, foo
	}), -1)
	require.EqualError(t, err, "error getting image list: foo")
	assert.ErrorIs(t, err, foo)
	assert.Nil(t, got)
}

// TestUpdateNewNodeStatus's image part: one image more than the limit, or 5 without limit,
// each with 6 to 20 tags (generateTestingImageLists).
func TestUpstreamUpdateNewNodeStatusImages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc      string
		maxImages int
	}{
		{"5 image limit", 5},
		{"no image limit", -1},
	}
	for i, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			rnd := rand.New(rand.NewPCG(uint64(i), 7))
			n := tt.maxImages + 1
			if tt.maxImages == -1 {
				n = 5
			}
			var images []pullpolicy.LocalImage
			for j := range n {
				tags := make([]string, nodestatus.MaxNamesPerImage+1+rnd.IntN(maxTagsTest-nodestatus.MaxNamesPerImage))
				for k := range tags {
					tags[k] = "registry.k8s.io:v" + strconv.Itoa(len(tags)-k)
				}
				images = append(images, pullpolicy.LocalImage{ID: "uuid-" + strconv.Itoa(j), RepoTags: tags, Size: minImageSize + rnd.Int64N(maxImageSize-minImageSize+1)})
			}
			lister := listerFunc(func(context.Context) ([]pullpolicy.LocalImage, error) { return images, nil })
			got, err := nodestatus.List(context.Background(), lister, tt.maxImages)
			require.NoError(t, err)
			want := expected(images, tt.maxImages, nodestatus.MaxNamesPerImage)
			assert.Equal(t, want, got)
			for _, img := range got {
				assert.Len(t, img.Names, nodestatus.MaxNamesPerImage)
			}
		})
	}
}
