package kubelet

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Config configures a [ImageManager]. The zero Config (with a Store and a Puller) is the kubelet
// v1.36 with its defaults: credential verification on with [NeverVerifyPreloadedImages],
// back-off 10 s → 300 s, serialized pulls, registry QPS 5 with a burst of 10, and none of the
// extensions beyond the kubelet.
//
// The pointer fields follow the KubeletConfiguration: nil means "not set", so that an explicit
// 0 can be told from the default.
type Config struct {
	// Store is the node's local image store, asked whether an image is present (the kubelet's
	// GetImageRef). Required.
	Store pullpolicy.Store
	// Puller pulls images through the container runtime. Required.
	Puller Puller
	// Recorder, when set, receives every event as it is emitted. Events are also returned
	// in the [Result].
	Recorder EventRecorder
	// Now is the clock; nil means time.Now (which testing/synctest fakes). Back-off, the QPS
	// limiter, the pull records and the durations in the "Successfully pulled" message use it.
	Now func() time.Time

	// Keyring holds the node-wide credentials (the node's docker config). Nil means none.
	Keyring *credential.Keyring
	// CredentialProvider, when set, supplies further credentials for a pod and image, after
	// the pod's Secrets and the node keyring (the kubelet's credential provider plugins;
	// package credential/plugin runs them). Credentials with a service-account source take
	// part in credential verification. Its error is logged to Logger and the pull goes on
	// without its credentials, as the kubelet does with a failing plugin.
	CredentialProvider credential.Provider

	// DisableCredentialVerification turns the KubeletEnsureSecretPulledImages feature gate
	// off: no pull records are read or written, and a present image is used by every pod.
	DisableCredentialVerification bool
	// VerificationPolicy is imagePullCredentialsVerificationPolicy; "" means
	// [NeverVerifyPreloadedImages].
	VerificationPolicy pullmanager.VerificationPolicy
	// Allowlist is preloadedImagesVerificationAllowlist, used by
	// [NeverVerifyAllowlistedImages].
	Allowlist []string
	// Records stores the pull intents and pulled records; nil means
	// [pullmanager.NewMemoryRecords].
	Records pullmanager.PullRecords
	// Logger receives what the kubelet logs about pull records and credential providers,
	// one line per EnsureImageExists decision at debug level and one per pull at info level
	// (keys pod, namespace, container, image, policy, action, reason, duration); nil discards
	// it. Credentials are never logged.
	Logger *slog.Logger
	// Metrics, when set, receives the measurements behind the kubelet's image metrics (see
	// kubelet/metrics for Prometheus); nil records nothing, at no cost.
	Metrics Metrics

	// SerializeImagePulls is serializeImagePulls; nil means true unless
	// MaxParallelImagePulls is 2 or more.
	SerializeImagePulls *bool
	// MaxParallelImagePulls is maxParallelImagePulls: the bound on concurrent pulls when
	// pulls are not serialized; nil means no bound.
	MaxParallelImagePulls *int32
	// RegistryPullQPS is registryPullQPS; nil means 5, and 0 turns the limit off.
	RegistryPullQPS *int32
	// RegistryBurst is registryBurst; nil means 10.
	RegistryBurst *int32
	// BackOffInitial and BackOffMax are the pull back-off's first and largest delay; zero
	// means 10 s and 300 s.
	BackOffInitial, BackOffMax time.Duration

	// Resolver, when set, changes the Always policy (beyond the kubelet): the registry is
	// asked once for the tag's digest; a present image with that digest (that the pod may use)
	// is started without calling the Puller, and otherwise the digest is pulled, never the tag.
	// A resolve failure counts as a failed pull (Failed event, back-off); the back-off holds
	// back the resolve too. Resolves are not counted by the QPS limit nor queued. When the
	// Resolver is also a [CredentialResolver], it is asked with the credentials the Puller
	// would get (the pod's Secrets, the node keyring, the credential provider, in that
	// order), so that a private image resolves with the pod's own Secret; a plain Resolver is
	// asked without them.
	Resolver pullpolicy.Resolver
	// OfflineFallback (beyond the kubelet): when a pull or a resolve fails with
	// [ErrRegistryUnavailable], and only then, a present image that the pod may use is
	// started, with a Warning event [ReasonOfflineFallback]. Never on 401, 403 or 404.
	OfflineFallback bool
	// DeduplicatePulls (beyond the kubelet): concurrent pulls of the same image string, for
	// the same runtime handler, with the same credentials, share one runtime pull (pod
	// annotations are not compared). A pod never shares another pod's pull made with other
	// (or no) credentials, and each pod's records name its own Secret.
	DeduplicatePulls bool
}

// validate checks c as the kubelet validates its KubeletConfiguration, and returns all
// problems together in the kubelet's aggregate form.
func (c *Config) validate() error {
	var errs []string
	if c.Store == nil {
		errs = append(errs, "kubelet: Config.Store is nil")
	}
	if c.Puller == nil {
		errs = append(errs, "kubelet: Config.Puller is nil")
	}
	if c.RegistryBurst != nil && *c.RegistryBurst < 0 {
		errs = append(errs, fmt.Sprintf("invalid configuration: registryBurst (--registry-burst) %d must not be a negative number", *c.RegistryBurst))
	}
	if c.RegistryPullQPS != nil && *c.RegistryPullQPS < 0 {
		errs = append(errs, fmt.Sprintf("invalid configuration: registryPullQPS (--registry-qps) %d must not be a negative number", *c.RegistryPullQPS))
	}
	if p := c.MaxParallelImagePulls; p != nil && *p < 1 {
		errs = append(errs, fmt.Sprintf("invalid configuration: maxParallelImagePulls %d must be a positive number", *p))
	}
	if p := c.MaxParallelImagePulls; p != nil && *p > 1 && c.serialize() {
		errs = append(errs, "invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false")
	}
	if initial, max := c.backOff(); initial <= 0 || initial > max {
		errs = append(errs, fmt.Sprintf("kubelet: invalid back-off: initial %v, max %v", initial, max))
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errors.New(errs[0])
	default:
		return errors.New("[" + strings.Join(errs, ", ") + "]")
	}
}

// serialize reports whether pulls are serialized: as set, or by the kubelet's default.
func (c *Config) serialize() bool {
	if c.SerializeImagePulls != nil {
		return *c.SerializeImagePulls
	}
	return c.MaxParallelImagePulls == nil || *c.MaxParallelImagePulls < 2
}

// backOff returns the back-off durations, defaults applied.
func (c *Config) backOff() (initial, max time.Duration) {
	initial, max = c.BackOffInitial, c.BackOffMax
	if initial == 0 {
		initial = DefaultBackOffInitial
	}
	if max == 0 {
		max = DefaultBackOffMax
	}
	return initial, max
}

func orDefault[T comparable](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// ImageManager makes containers' images ready exactly as the kubelet's EnsureImageExists does
// (Kubernetes v1.36.3 and v1.37.2, pkg/kubelet/images): the same order of checks, the same runtime calls,
// the same events, returned messages and errors, the same back-off, pull limits and pull
// records. See [ImageManager.EnsureImageExists].
//
// An ImageManager is safe for concurrent use. NewImageManager starts no goroutine. With serialized
// pulls (the default) one worker goroutine runs the queued pulls; it is started when a pull
// is queued and exits as soon as the queue is empty, so an idle ImageManager holds no goroutine
// and needs no Close.
type ImageManager struct {
	store    pullpolicy.Store
	puller   Puller
	recorder EventRecorder // may be nil
	now      func() time.Time
	keyring  *credential.Keyring
	secrets  *credential.SecretsCache // pods' keyrings by the content of their Secrets
	provider credential.Provider      // may be nil
	verify   *pullmanager.Manager     // nil when credential verification is off
	resolver pullpolicy.Resolver      // nil: Always pulls, as the kubelet does
	offline  bool
	backOff  *backOff
	bucket   *tokenBucket // nil: no registry QPS limit
	slots    scheduler
	flights  *flightGroup // nil unless pulls are de-duplicated
	log      *slog.Logger
	startup  startup // the pull records' startup recovery, when verification is on
	metrics  Metrics // never nil: NopMetrics by default
}

// NewImageManager returns an ImageManager configured by cfg. It returns an error when cfg has no Store
// or Puller, or when a limit is invalid, with the kubelet's configuration-validation texts
// (for example "invalid configuration: maxParallelImagePulls 0 must be a positive number"),
// or when the verification policy or allowlist is invalid.
func NewImageManager(cfg Config) (*ImageManager, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m := &ImageManager{
		store:    cfg.Store,
		puller:   cfg.Puller,
		recorder: cfg.Recorder,
		now:      cfg.Now,
		keyring:  cfg.Keyring,
		secrets:  credential.NewSecretsCache(0),
		provider: cfg.CredentialProvider,
		resolver: cfg.Resolver,
		offline:  cfg.OfflineFallback,
		log:      cfg.Logger,
		metrics:  cfg.Metrics,
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.metrics == nil {
		m.metrics = NopMetrics{}
	}
	if m.now == nil {
		m.now = time.Now
	}
	if !cfg.DisableCredentialVerification {
		v, err := newManagerVerifier(&cfg, m.now)
		if err != nil {
			return nil, err
		}
		m.verify = v
	}
	m.backOff = newBackOff(cfg.backOff())
	if qps := orDefault(cfg.RegistryPullQPS, DefaultRegistryPullQPS); qps > 0 {
		m.bucket = newTokenBucket(qps, orDefault(cfg.RegistryBurst, DefaultRegistryBurst))
	}
	switch {
	case cfg.serialize():
		m.slots = newSerialQueue()
	case cfg.MaxParallelImagePulls != nil:
		m.slots = newSemaphore(int(*cfg.MaxParallelImagePulls))
	default:
		m.slots = unbounded{}
	}
	if cfg.DeduplicatePulls {
		m.flights = newFlightGroup()
	}
	return m, nil
}
