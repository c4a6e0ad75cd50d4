package nodestatus_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/kube/nodestatus"
	"github.com/imagepull/imagepull/pullpolicy"
)

func TestImages(t *testing.T) {
	t.Parallel()
	many := make([]pullpolicy.LocalImage, 60)
	for i := range many {
		many[i] = pullpolicy.LocalImage{ID: "sha256:" + strconv.Itoa(i), RepoTags: []string{"img:" + strconv.Itoa(i)}, Size: int64(i)}
	}
	tests := []struct {
		name      string
		images    []pullpolicy.LocalImage
		maxImages int
		wantLen   int
		wantFirst corev1.ContainerImage
		wantLast  corev1.ContainerImage
	}{
		{"default limit keeps the 50 largest", many, nodestatus.DefaultMaxImages, 50,
			corev1.ContainerImage{Names: []string{"img:59"}, SizeBytes: 59}, corev1.ContainerImage{Names: []string{"img:10"}, SizeBytes: 10}},
		{"-1 keeps all", many, -1, 60,
			corev1.ContainerImage{Names: []string{"img:59"}, SizeBytes: 59}, corev1.ContainerImage{Names: []string{"img:0"}, SizeBytes: 0}},
		{"any negative keeps all, as int(max) > -1 is false", many, -2, 60,
			corev1.ContainerImage{Names: []string{"img:59"}, SizeBytes: 59}, corev1.ContainerImage{Names: []string{"img:0"}, SizeBytes: 0}},
		{"equal sizes: ID descending", []pullpolicy.LocalImage{{ID: "a", RepoTags: []string{"a"}, Size: 1}, {ID: "c", RepoTags: []string{"c"}, Size: 1}, {ID: "b", RepoTags: []string{"b"}, Size: 1}}, -1, 3,
			corev1.ContainerImage{Names: []string{"c"}, SizeBytes: 1}, corev1.ContainerImage{Names: []string{"a"}, SizeBytes: 1}},
		{"digests before tags, five names", []pullpolicy.LocalImage{{RepoTags: []string{"t1", "t2", "t3"}, RepoDigests: []string{"d1", "d2", "d3"}, Size: 9}}, -1, 1,
			corev1.ContainerImage{Names: []string{"d1", "d2", "d3", "t1", "t2"}, SizeBytes: 9}, corev1.ContainerImage{Names: []string{"d1", "d2", "d3", "t1", "t2"}, SizeBytes: 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := nodestatus.Images(tt.images, tt.maxImages)
			assert.Len(t, got, tt.wantLen)
			assert.Equal(t, tt.wantFirst, got[0])
			assert.Equal(t, tt.wantLast, got[len(got)-1])
		})
	}
}

func TestImagesEdges(t *testing.T) {
	t.Parallel()
	in := []pullpolicy.LocalImage{{ID: "x", Size: 1}, {ID: "y", RepoTags: []string{"y"}, Size: 2}}
	assert.Nil(t, nodestatus.Images(nil, -1), "no image: nil, as the kubelet's var imagesOnNode")
	assert.Nil(t, nodestatus.Images(in, 0), "a limit of 0 reports nothing")
	got := nodestatus.Images(in, -1)
	assert.NotNil(t, got[1].Names, "an image without names is listed with empty, non-nil names")
	assert.Empty(t, got[1].Names)
	assert.Equal(t, "x", in[0].ID, "the input is not sorted in place")
}
