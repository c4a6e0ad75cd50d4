package virtualkubelet

import (
	"context"
	"fmt"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/record"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kube/events"
	"github.com/imagepull/imagepull/kubelet"
)

// NewImageManager returns the image manager of one virtual node: cfg with its events sent to
// recorder on the pods' containers (kube/events), and, when dir is not empty, the KEP-2535
// pull records kept in files under dir/image_manager as the kubelet keeps them
// (<root-dir>/image_manager: cache.FileRecords behind the kubelet's LRU cache). With dir ""
// and cfg.Records nil the records are in memory. Each virtual node needs its own manager and
// its own dir: the records say which pod credentials pulled which image on that node.
func NewImageManager(cfg kubelet.Config, recorder record.EventRecorder, dir string) (*kubelet.ImageManager, error) {
	if recorder != nil {
		cfg.Recorder = &events.Recorder{Recorder: recorder}
	}
	if dir != "" {
		files, err := cache.NewFileRecords(filepath.Join(dir, "image_manager"))
		if err != nil {
			return nil, fmt.Errorf("virtualkubelet: pull records: %w", err)
		}
		cfg.Records = cache.NewCachedRecords(files, nil)
	}
	return kubelet.NewImageManager(cfg)
}

// ClientSecrets reads pull Secrets with a GET per Secret through client. A kubelet watches the
// Secrets of its pods; with many pods, give [Config] a lister from an informer instead
// ([ListerSecrets]).
func ClientSecrets(client kubernetes.Interface) SecretGetter {
	return SecretGetterFunc(func(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
		return client.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	})
}

// SecretLister is the part of a client-go Secret lister ([k8s.io/client-go/listers/core/v1])
// that [ListerSecrets] uses.
type SecretLister interface {
	Get(name string) (*corev1.Secret, error)
}

// ListerSecrets reads pull Secrets from an informer's cache: namespaced returns the lister of
// a namespace (a SecretLister's Secrets method).
func ListerSecrets[L SecretLister](namespaced func(namespace string) L) SecretGetter {
	return SecretGetterFunc(func(_ context.Context, namespace, name string) (*corev1.Secret, error) {
		return namespaced(namespace).Get(name)
	})
}
