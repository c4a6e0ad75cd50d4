package kubeletdiff

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
	kubeletconfig "k8s.io/kubernetes/pkg/kubelet/apis/config"
	kubecontainer "k8s.io/kubernetes/pkg/kubelet/container"
	kubeletpm "k8s.io/kubernetes/pkg/kubelet/images/pullmanager"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

// The harness speaks a neutral vocabulary that each side translates into its own types.

type secret struct{ uid, ns, name, hash string }

type serviceAccount struct{ uid, ns, name string }

// creds are what a successful pull records; a nil *creds is the kubelet's "credentials
// unknown" (RecordImagePulled with nil).
type creds struct {
	secrets []secret
	sas     []serviceAccount
	node    bool
}

// podCreds are what a pod presents to a must-pull check; fail makes the pod's credential
// lookup return an error.
type podCreds struct {
	secrets []secret
	sa      *serviceAccount
	fail    bool
}

// nodeImage is an image the runtime lists at startup.
type nodeImage struct {
	id      string
	tags    []string
	digests []string
}

// config is the KubeletConfiguration part both managers read.
type config struct {
	policy    string
	allowlist []string
}

// side is one implementation of the KEP-2535 pull manager over files under a kubelet root
// directory (the records are in <root>/image_manager).
type side interface {
	intent(image string) error
	pulled(image, ref string, c *creds)
	failed(image string)
	must(image, ref string, pc podCreds) (bool, error)
	prune(refs []string, until time.Time)
	// shutdown ends the process cleanly (clean = true) or as a crash would (clean = false).
	shutdown(clean bool) error
}

// opener starts a side's pull manager over root, as the kubelet does at startup: open the
// records, build the policy, recover the intents against the runtime's images.
type opener func(root string, cfg config, images []nodeImage) (side, error)

var errPodCreds = errors.New("pod credentials lookup failed")

// ---- the kubelet's code ----

type kubeletSide struct {
	m   *kubeletpm.PullManager
	ctx context.Context
	log klog.Logger
}

// fakeRuntime is the kubelet's ImageService with only ListImages, which is all that the pull
// manager calls (image_pull_manager.go:377).
type fakeRuntime struct {
	kubecontainer.ImageService
	images []kubecontainer.Image
}

func (r fakeRuntime) ListImages(context.Context) ([]kubecontainer.Image, error) { return r.images, nil }

// openKubelet is kuberuntime_manager.go:330-351 without the cache: NewFSPullRecordsAccessor over
// root, the policy from NewImagePullCredentialVerificationPolicy, then NewImagePullManager,
// whose initialize recovers the intents.
func openKubelet(root string, cfg config, images []nodeImage) (side, error) {
	return openKubeletWith(root, cfg, images, false)
}

func openKubeletWith(root string, cfg config, images []nodeImage, cached bool) (*kubeletSide, error) {
	log := logr.Discard()
	ctx := klog.NewContext(context.Background(), log)
	policy, err := kubeletpm.NewImagePullCredentialVerificationPolicy(kubeletconfig.ImagePullCredentialsVerificationPolicy(cfg.policy), cfg.allowlist)
	if err != nil {
		return nil, err
	}
	accessor, err := kubeletpm.NewFSPullRecordsAccessor(log, root)
	if err != nil {
		return nil, err
	}
	if cached {
		// The kubelet's sizes for maxPods 110 and maxParallelImagePulls unset.
		accessor = kubeletpm.NewCachedPullRecordsAccessor(log, accessor, 220, 550, 0)
	}
	rt := fakeRuntime{}
	for _, img := range images {
		rt.images = append(rt.images, kubecontainer.Image{ID: img.id, RepoTags: img.tags, RepoDigests: img.digests})
	}
	m, err := kubeletpm.NewImagePullManager(ctx, accessor, policy, rt, 0)
	if err != nil {
		return nil, err
	}
	return &kubeletSide{m: m, ctx: ctx, log: log}, nil
}

func (k *kubeletSide) intent(image string) error { return k.m.RecordPullIntent(k.log, image) }

func (k *kubeletSide) pulled(image, ref string, c *creds) {
	k.m.RecordImagePulled(k.ctx, image, ref, kubeletCreds(c))
}

func (k *kubeletSide) failed(image string) { k.m.RecordImagePullFailed(k.ctx, image) }

func (k *kubeletSide) must(image, ref string, pc podCreds) (bool, error) {
	return k.m.MustAttemptImagePull(k.ctx, image, ref, kubeletPodCreds(pc))
}

func (k *kubeletSide) prune(refs []string, until time.Time) {
	k.m.PruneUnknownRecords(k.ctx, refs, until)
}

func (k *kubeletSide) shutdown(bool) error { return nil } // the kubelet has nothing to close

func kubeletCreds(c *creds) *kubeletconfig.ImagePullCredentials {
	if c == nil {
		return nil
	}
	out := &kubeletconfig.ImagePullCredentials{NodePodsAccessible: c.node}
	for _, s := range c.secrets {
		out.KubernetesSecrets = append(out.KubernetesSecrets, kubeletconfig.ImagePullSecret{UID: s.uid, Namespace: s.ns, Name: s.name, CredentialHash: s.hash})
	}
	for _, s := range c.sas {
		out.KubernetesServiceAccounts = append(out.KubernetesServiceAccounts, kubeletconfig.ImagePullServiceAccount{UID: s.uid, Namespace: s.ns, Name: s.name})
	}
	return out
}

func kubeletPodCreds(pc podCreds) kubeletpm.GetPodCredentials {
	var secrets []kubeletconfig.ImagePullSecret
	for _, s := range pc.secrets {
		secrets = append(secrets, kubeletconfig.ImagePullSecret{UID: s.uid, Namespace: s.ns, Name: s.name, CredentialHash: s.hash})
	}
	var sa *kubeletconfig.ImagePullServiceAccount
	if pc.sa != nil {
		sa = &kubeletconfig.ImagePullServiceAccount{UID: pc.sa.uid, Namespace: pc.sa.ns, Name: pc.sa.name}
	}
	return func() ([]kubeletconfig.ImagePullSecret, *kubeletconfig.ImagePullServiceAccount, error) {
		if pc.fail {
			return nil, nil, errPodCreds
		}
		return secrets, sa, nil
	}
}

// ---- this library ----

type oursSide struct {
	m       *pullmanager.Manager
	records *cache.FileRecords
	ctx     context.Context
}

// openOurs opens cache.FileRecords over <root>/image_manager, builds a Manager with the same
// policy and allowlist, and runs Initialize with the runtime's images.
func openOurs(root string, cfg config, images []nodeImage) (side, error) {
	return openOursWith(root, cfg, images, false)
}

func openOursWith(root string, cfg config, images []nodeImage, cached bool) (*oursSide, error) {
	records, err := cache.NewFileRecords(filepath.Join(root, "image_manager"))
	if err != nil {
		return nil, err
	}
	var store pullmanager.PullRecords = records
	if cached {
		store = cache.NewCachedRecords(records, &cache.CachedRecordsOptions{MaxIntents: 220, MaxRecords: 550})
	}
	m, err := pullmanager.New(pullmanager.Config{Policy: pullmanager.VerificationPolicy(cfg.policy), Allowlist: cfg.allowlist, Records: store})
	if err != nil {
		return nil, errors.Join(err, records.Close())
	}
	ctx := context.Background()
	var local []pullpolicy.LocalImage
	for _, img := range images {
		local = append(local, pullpolicy.LocalImage{ID: img.id, RepoTags: img.tags, RepoDigests: img.digests})
	}
	// Initialize's joined error reports what the kubelet only logs (image_pull_manager.go:395-402):
	// the answers and files that follow are what is compared.
	_ = m.Initialize(ctx, local)
	return &oursSide{m: m, records: records, ctx: ctx}, nil
}

func (o *oursSide) intent(image string) error { return o.m.RecordPullIntent(image) }

func (o *oursSide) pulled(image, ref string, c *creds) {
	o.m.RecordImagePulled(image, ref, oursCreds(c))
}

func (o *oursSide) failed(image string) { o.m.RecordImagePullFailed(image) }

func (o *oursSide) must(image, ref string, pc podCreds) (bool, error) {
	return o.m.MustAttemptImagePull(o.ctx, image, ref, oursPodCreds(pc))
}

func (o *oursSide) prune(refs []string, until time.Time) { o.m.PruneUnknownRecords(refs, until) }

func (o *oursSide) shutdown(clean bool) error {
	if clean {
		return o.records.Close()
	}
	return nil
}

func oursCreds(c *creds) *pullmanager.ImagePullCredentials {
	if c == nil {
		return nil
	}
	out := &pullmanager.ImagePullCredentials{NodePodsAccessible: c.node}
	for _, s := range c.secrets {
		out.KubernetesSecrets = append(out.KubernetesSecrets, pullmanager.ImagePullSecret{UID: s.uid, Namespace: s.ns, Name: s.name, CredentialHash: s.hash})
	}
	for _, s := range c.sas {
		out.KubernetesServiceAccounts = append(out.KubernetesServiceAccounts, pullmanager.ImagePullServiceAccount{UID: s.uid, Namespace: s.ns, Name: s.name})
	}
	return out
}

func oursPodCreds(pc podCreds) func() (pullmanager.PodCredentials, error) {
	var out pullmanager.PodCredentials
	for _, s := range pc.secrets {
		out.Secrets = append(out.Secrets, pullmanager.ImagePullSecret{UID: s.uid, Namespace: s.ns, Name: s.name, CredentialHash: s.hash})
	}
	if pc.sa != nil {
		out.ServiceAccount = &pullmanager.ImagePullServiceAccount{UID: pc.sa.uid, Namespace: pc.sa.ns, Name: pc.sa.name}
	}
	return func() (pullmanager.PodCredentials, error) {
		if pc.fail {
			return pullmanager.PodCredentials{}, errPodCreds
		}
		return out, nil
	}
}
