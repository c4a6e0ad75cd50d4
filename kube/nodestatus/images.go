package nodestatus

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

const (
	// DefaultMaxImages is the default of the kubelet's nodeStatusMaxImages
	// (pkg/kubelet/apis/config/v1beta1/defaults.go:210-211). -1, or any negative value, means
	// no limit (setters.go:402).
	DefaultMaxImages = 50
	// MaxNamesPerImage is how many names the kubelet reports per image at most
	// (MaxNamesPerImageInNodeStatus, setters.go:53).
	MaxNamesPerImage = 5
)

// Images returns Node.status.images for the node's images, as the kubelet's Images setter
// (setters.go:390-424) makes it from the image cache:
//
//   - the images are sorted by size, largest first, and by ID, descending, among images of the
//     same size (sliceutils.ByImageSize, pkg/kubelet/util/sliceutils/sliceutils.go:44, as the
//     image cache sorts them, image_gc_manager.go:160);
//   - only the first maxImages are kept, unless maxImages is negative (-1 means all);
//   - each image's names are its RepoDigests, then its RepoTags, cut to [MaxNamesPerImage];
//     an image with neither is still listed, without names, as the kubelet does;
//   - SizeBytes is the image's size.
//
// images is not modified. The result is nil when there is no image to report, as the kubelet's.
func Images(images []pullpolicy.LocalImage, maxImages int) []corev1.ContainerImage {
	sorted := make([]*pullpolicy.LocalImage, len(images)) // sort pointers: images are large
	for i := range images {
		sorted[i] = &images[i]
	}
	slices.SortStableFunc(sorted, byImageSize)
	if maxImages > -1 && maxImages < len(sorted) {
		sorted = sorted[:maxImages]
	}
	var out []corev1.ContainerImage
	for _, img := range sorted {
		names := make([]string, 0, min(len(img.RepoDigests)+len(img.RepoTags), MaxNamesPerImage))
		names = append(names, img.RepoDigests...)
		names = append(names, img.RepoTags...)
		if len(names) > MaxNamesPerImage {
			names = names[:MaxNamesPerImage:MaxNamesPerImage]
		}
		out = append(out, corev1.ContainerImage{Names: names, SizeBytes: img.Size})
	}
	return out
}

// byImageSize is sliceutils.ByImageSize: size descending, then ID descending.
func byImageSize(a, b *pullpolicy.LocalImage) int {
	if a.Size != b.Size {
		return cmp.Compare(b.Size, a.Size)
	}
	return cmp.Compare(b.ID, a.ID)
}

// List lists the node's images with lister and returns [Images] of them. On a listing error
// it returns nil and the error, wrapped as the setter words it ("error getting image list:
// …", setters.go:396-400): the kubelet then reports an empty list. (The kubelet's own image
// cache keeps its last list when the runtime fails, image_gc_manager.go:229-231, so a caller
// that wants that behaviour keeps its previous result instead.)
func List(ctx context.Context, lister kubelet.ImageLister, maxImages int) ([]corev1.ContainerImage, error) {
	images, err := lister.ListImages(ctx)
	if err != nil {
		return nil, fmt.Errorf("error getting image list: %w", err)
	}
	return Images(images, maxImages), nil
}
