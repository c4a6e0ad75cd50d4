package virtualkubelet

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/utils/clock"

	"github.com/imagepull/imagepull/kube/nodestatus"
	"github.com/imagepull/imagepull/kubelet"
)

// NodeStatusInterval is the kubelet's default nodeStatusUpdateFrequency (10 s): how often
// a [NodeProvider] lists the node's images.
const NodeStatusInterval = 10 * time.Second

// NodeOptions configures a [NodeProvider]; nil, and every zero field, means the default.
type NodeOptions struct {
	// MaxImages is the kubelet's nodeStatusMaxImages: 0 means nodestatus.DefaultMaxImages
	// (50), a negative value every image.
	MaxImages int
	// Interval is how often the images are listed; 0 means NodeStatusInterval.
	Interval time.Duration
	// Clock times the listings; nil means the real clock.
	Clock clock.Clock
}

// NodeProvider is a virtual-kubelet [node.NodeProvider] that reports the node's images in
// Node.status.images as the kubelet does (kube/nodestatus: largest first, 50 by default, up to
// 5 names each, with their sizes): it lists them from the runtime now and every interval, and
// hands virtual-kubelet the node with the new list when the list changed. When a listing
// fails the last list is kept, as the kubelet's image cache keeps it
// (pkg/kubelet/images/image_gc_manager.go:229-231).
type NodeProvider struct {
	lister kubelet.ImageLister
	max    int
	every  time.Duration
	clock  clock.Clock

	mu   sync.Mutex
	node *corev1.Node // the node as last reported
}

// NewNodeProvider returns a NodeProvider for the node (its spec and the rest of its status
// as the caller sets them) whose runtime lists its images with lister (cri.Client,
// cache.Store and the image stores of this module's runtimes do).
func NewNodeProvider(node *corev1.Node, lister kubelet.ImageLister, opts *NodeOptions) *NodeProvider {
	var o NodeOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxImages == 0 {
		o.MaxImages = nodestatus.DefaultMaxImages
	}
	if o.Interval <= 0 {
		o.Interval = NodeStatusInterval
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	return &NodeProvider{lister: lister, max: o.MaxImages, every: o.Interval, clock: o.Clock, node: node.DeepCopy()}
}

// Ping reports the node alive while ctx is.
func (n *NodeProvider) Ping(ctx context.Context) error { return ctx.Err() }

// NotifyNodeStatus starts the listing loop, which ends with ctx; it does not block.
func (n *NodeProvider) NotifyNodeStatus(ctx context.Context, cb func(*corev1.Node)) {
	go func() {
		for {
			if node, changed := n.refresh(ctx); changed {
				cb(node)
			}
			t := n.clock.NewTimer(n.every)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C():
			}
		}
	}()
}

// refresh lists the images and returns a copy of the node with them, and whether they changed.
func (n *NodeProvider) refresh(ctx context.Context) (*corev1.Node, bool) {
	images, err := nodestatus.List(ctx, n.lister, n.max)
	n.mu.Lock()
	defer n.mu.Unlock()
	if err != nil || apiequality.Semantic.DeepEqual(images, n.node.Status.Images) {
		return nil, false
	}
	n.node.Status.Images = images
	return n.node.DeepCopy(), true
}

// Node returns a copy of the node as last reported.
func (n *NodeProvider) Node() *corev1.Node {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.node.DeepCopy()
}
