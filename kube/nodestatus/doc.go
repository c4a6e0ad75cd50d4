// Package nodestatus is the kubelet's Node.status.images: the images on the node, largest
// first, at most [DefaultMaxImages] of them by default, each with up to [MaxNamesPerImage]
// names (its repo digests, then its repo tags) and its size. It follows the kubelet v1.37.2:
// the Images setter (pkg/kubelet/nodestatus/setters.go:390) on the image list that the image
// garbage collector refreshes every 30 s from the runtime and keeps sorted
// (pkg/kubelet/images/image_gc_manager.go:154 and :228-235).
//
// Like package podstatus it links neither client-go nor virtual-kubelet: it takes the
// library's [pullpolicy.LocalImage] (what cri.Client and cache.Store list, through
// [kubelet.ImageLister]) and returns k8s.io/api types.
package nodestatus
