package metrics

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

var (
	_ kubelet.Metrics      = (*Recorder)(nil)
	_ prometheus.Collector = (*Recorder)(nil)
)

// Options says where a [Recorder] reads the pull-record counts from. The zero Options (and
// nil) reports them as 0.
type Options struct {
	// OnDisk is the store of records on disk, typically a *cache.FileRecords: its Usage gives
	// kubelet_imagemanager_ondisk_pullintents and _pulledrecords.
	OnDisk pullmanager.UsageReporter
	// InMemory is the in-memory cache of the records, typically a *cache.CachedRecords: its
	// Usage gives kubelet_imagemanager_inmemory_*_usage_percent.
	InMemory pullmanager.UsageReporter
}

// Recorder is a [kubelet.Metrics] on Prometheus: set it as [kubelet.Config].Metrics and
// register it (it is a [prometheus.Collector]). It exposes the kubelet's image metrics
// under the kubelet's names, labels, label values, buckets and help texts, and the metrics
// beyond the kubelet under "imagepull_" (see the package documentation for the list).
//
// A Recorder is safe for concurrent use. Recording costs a few atomic operations: the
// labelled children are looked up once and kept.
type Recorder struct {
	opts Options

	ensure      *prometheus.CounterVec
	ensureKids  lazy[prometheus.Counter]
	pullDur     *prometheus.HistogramVec
	pullDurKids lazy[prometheus.Observer]
	mustPull    *prometheus.CounterVec
	mustKids    lazy[prometheus.Counter]

	onDiskIntents, onDiskRecords, memIntents, memRecords *gauge

	pulls        *prometheus.CounterVec
	pullKids     lazy[prometheus.Counter]
	backOffs     prometheus.Counter
	deduplicated prometheus.Counter
	fallbacks    prometheus.Counter
	resolves     *prometheus.CounterVec
	resolveDur   *prometheus.HistogramVec
}

// alpha marks the help text of a kubelet metric as the kubelet's component-base does.
const alpha = "[ALPHA] "

// New returns a Recorder that reads the pull-record counts as opts says (nil: none). Register
// it with a [prometheus.Registerer] to expose its metrics.
func New(opts *Options) *Recorder {
	r := &Recorder{}
	if opts != nil {
		r.opts = *opts
	}
	r.ensure = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: EnsureImageRequests,
		Help: alpha + "Number of ensure-image requests processed by the kubelet.",
	}, []string{"pull_policy", "present_locally", "pull_required"})
	r.ensureKids = newLazy[prometheus.Counter](len(policyLabels) * 3 * 3)
	r.pullDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    ImagePullDuration,
		Help:    alpha + "Duration in seconds to pull an image.",
		Buckets: imagePullDurationBuckets,
	}, []string{"image_size_in_bytes"})
	r.pullDurKids = newLazy[prometheus.Observer](len(imageSizeBuckets) + 1)
	r.mustPull = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MustPullChecks,
		Help: alpha + "Counter for how many times kubelet checked whether credentials need to be re-verified to access an image",
	}, []string{"result"})
	r.mustKids = newLazy[prometheus.Counter](len(checkResults))
	r.onDiskIntents = newGauge(OnDiskPullIntents, alpha+"Number of ImagePullIntents stored on disk.")
	r.onDiskRecords = newGauge(OnDiskPulledRecords, alpha+"Number of ImagePulledRecords stored on disk.")
	r.memIntents = newGauge(InMemoryPullIntentsUsage, alpha+"The ImagePullIntents in-memory cache usage in percent.")
	r.memRecords = newGauge(InMemoryPulledRecordsUsage, alpha+"The ImagePulledRecords in-memory cache usage in percent.")

	r.pulls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: ImagePulls,
		Help: "Number of image pulls let through the back-off, by result: success, " +
			"image_pull_error, registry_unavailable, signature_validation_failed, qps_exceeded (refused by the registry QPS limit) or canceled.",
	}, []string{"result"})
	r.pullKids = newLazy[prometheus.Counter](len(pullResults))
	r.backOffs = prometheus.NewCounter(prometheus.CounterOpts{
		Name: ImagePullBackOffs,
		Help: "Number of image pulls refused by the pull back-off (no runtime call).",
	})
	r.deduplicated = prometheus.NewCounter(prometheus.CounterOpts{
		Name: DeduplicatedPulls,
		Help: "Number of image pulls answered by another caller's identical pull instead of a runtime pull of their own.",
	})
	r.fallbacks = prometheus.NewCounter(prometheus.CounterOpts{
		Name: OfflineFallbacks,
		Help: "Number of containers started from a local image because the registry was unavailable.",
	})
	r.resolves = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: Resolves,
		Help: "Number of image references resolved to a digest, by resolver and outcome.",
	}, []string{"resolver", "outcome"})
	r.resolveDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    ResolveDuration,
		Help:    "Duration in seconds to resolve an image reference to a digest, by resolver.",
		Buckets: resolveDurationBuckets,
	}, []string{"resolver"})
	return r
}

// Describe sends the descriptors of every metric r exposes.
func (r *Recorder) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range r.collectors() {
		c.Describe(ch)
	}
	for _, g := range r.gauges() {
		ch <- g.desc
	}
}

// Collect sends the current values of every metric r exposes; the pull-record counts are
// read from [Options] now. When a count cannot be read, the last value read is sent again
// (the kubelet too keeps its gauge when a count fails).
func (r *Recorder) Collect(ch chan<- prometheus.Metric) {
	for _, c := range r.collectors() {
		c.Collect(ch)
	}
	if src := r.opts.OnDisk; src != nil {
		if u, err := src.Usage(); err == nil {
			r.onDiskIntents.set(float64(u.Intents))
			r.onDiskRecords.set(float64(u.Records))
		}
	}
	if src := r.opts.InMemory; src != nil {
		if u, err := src.Usage(); err == nil {
			r.memIntents.set(percent(u.Intents, u.IntentsCapacity))
			r.memRecords.set(percent(u.Records, u.RecordsCapacity))
		}
	}
	for _, g := range r.gauges() {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, g.get())
	}
}

func (r *Recorder) collectors() []prometheus.Collector {
	return []prometheus.Collector{r.ensure, r.pullDur, r.mustPull, r.pulls, r.backOffs, r.deduplicated, r.fallbacks, r.resolves, r.resolveDur}
}

func (r *Recorder) gauges() []*gauge {
	return []*gauge{r.onDiskIntents, r.onDiskRecords, r.memIntents, r.memRecords}
}

// percent is the kubelet's usage: n*100/capacity, rounded down; 0 for an unbounded cache.
func percent(n, capacity int) float64 {
	if capacity <= 0 {
		return 0
	}
	return float64(n * 100 / capacity)
}

// The label values of pull_policy: the kubelet's lowercased policy. Any other policy (the
// call failed with ErrInvalidPolicy) is counted as "invalid", so that no input can grow the
// metric without bound.
var policyLabels = [...]string{"always", "ifnotpresent", "never", "invalid"}

func policyIndex(p pullpolicy.Policy) int {
	switch p {
	case pullpolicy.Always:
		return 0
	case pullpolicy.IfNotPresent:
		return 1
	case pullpolicy.Never:
		return 2
	}
	return 3
}

// ObserveEnsure counts an EnsureImageExists call in
// kubelet_image_manager_ensure_image_requests_total.
func (r *Recorder) ObserveEnsure(_ context.Context, o kubelet.EnsureObservation) {
	p, present, required := policyIndex(o.Policy), answerIndex(o.PresentLocally), answerIndex(o.PullRequired)
	r.ensureKids.get((p*3+present)*3+required, func() prometheus.Counter {
		return r.ensure.WithLabelValues(policyLabels[p], o.PresentLocally.String(), o.PullRequired.String())
	}).Inc()
}

func answerIndex(a kubelet.Answer) int {
	switch a {
	case kubelet.AnswerNo:
		return 1
	case kubelet.AnswerYes:
		return 2
	}
	return 0
}

// The label values of imagepull_image_pulls_total.
var pullResults = [...]string{"success", "image_pull_error", "registry_unavailable", "signature_validation_failed", "qps_exceeded", "canceled"}

func pullResultIndex(o *kubelet.PullObservation) int {
	switch o.Outcome {
	case kubelet.PullSucceeded:
		return 0
	case kubelet.PullRefusedByQPS:
		return 4
	case kubelet.PullCanceled:
		return 5
	}
	switch o.Reason {
	case pullpolicy.ErrRegistryUnavailable:
		return 2
	case pullpolicy.ErrSignatureValidationFailed:
		return 3
	}
	return 1
}

// ObservePull counts a pull in imagepull_image_pulls_total (and, when it was shared, in
// imagepull_image_pulls_deduplicated_total) and observes a successful one in
// kubelet_image_pull_duration_seconds under its size's bucket.
func (r *Recorder) ObservePull(_ context.Context, o kubelet.PullObservation) {
	i := pullResultIndex(&o)
	r.pullKids.get(i, func() prometheus.Counter { return r.pulls.WithLabelValues(pullResults[i]) }).Inc()
	if o.Shared {
		r.deduplicated.Inc()
	}
	if o.Outcome != kubelet.PullSucceeded {
		return
	}
	b := sizeBucket(o.Size)
	r.pullDurKids.get(b, func() prometheus.Observer {
		return r.pullDur.WithLabelValues(sizeLabel(b))
	}).Observe(o.Duration.Seconds())
}

// ObserveBackOff counts a refusal by the back-off in imagepull_image_pull_back_offs_total.
func (r *Recorder) ObserveBackOff(context.Context) { r.backOffs.Inc() }

// ObserveOfflineFallback counts an offline fallback in imagepull_offline_fallbacks_total.
func (r *Recorder) ObserveOfflineFallback(context.Context) { r.fallbacks.Inc() }

// The label values of kubelet_imagemanager_image_mustpull_checks_total; any other result is
// counted as "error".
var checkResults = [...]pullmanager.CheckResult{
	pullmanager.CheckCredentialPolicyAllowed,
	pullmanager.CheckCredentialRecordFound,
	pullmanager.CheckMustAuthenticate,
	pullmanager.CheckError,
}

// ObserveMustPullCheck counts a credential-verification check in
// kubelet_imagemanager_image_mustpull_checks_total.
func (r *Recorder) ObserveMustPullCheck(_ context.Context, result pullmanager.CheckResult) {
	i := len(checkResults) - 1 // "error"
	switch result {
	case pullmanager.CheckCredentialPolicyAllowed:
		i = 0
	case pullmanager.CheckCredentialRecordFound:
		i = 1
	case pullmanager.CheckMustAuthenticate:
		i = 2
	}
	r.mustKids.get(i, func() prometheus.Counter { return r.mustPull.WithLabelValues(string(checkResults[i])) }).Inc()
}

// ResolveObserver returns an observer of the resolves of one resolver, to set as
// cache.ResolverOptions.Observer (name "cache", by convention) or registry.Options.Observer
// (name "registry"). Its resolves are counted in imagepull_resolves_total{resolver=name} and
// timed in imagepull_resolve_duration_seconds{resolver=name}. An outcome that neither
// package reports is counted as "error".
func (r *Recorder) ResolveObserver(name string) *ResolveObserver {
	return &ResolveObserver{
		counts: newLazy[prometheus.Counter](len(resolveOutcomes)),
		vec:    r.resolves.MustCurryWith(prometheus.Labels{"resolver": name}),
		dur:    r.resolveDur.WithLabelValues(name),
	}
}

// ResolveObserver counts and times the resolves of one resolver; see
// [Recorder.ResolveObserver]. It has the method of cache.ResolveObserver and
// registry.ResolveObserver.
type ResolveObserver struct {
	counts lazy[prometheus.Counter]
	vec    *prometheus.CounterVec
	dur    prometheus.Observer
}

// The outcomes of cache.Resolver and registry.Resolver (their Outcome* constants).
var resolveOutcomes = [...]string{
	"hit", "negative_hit", "miss", "stale", "resolved",
	"not_found", "unauthorized", "digest_mismatch", "unavailable", "canceled", "error",
}

// ObserveResolve counts a resolve under its outcome and observes its duration.
func (o *ResolveObserver) ObserveResolve(_ context.Context, outcome string, d time.Duration) {
	i := len(resolveOutcomes) - 1
	for j, known := range resolveOutcomes {
		if known == outcome {
			i = j
			break
		}
	}
	o.counts.get(i, func() prometheus.Counter { return o.vec.WithLabelValues(resolveOutcomes[i]) }).Inc()
	o.dur.Observe(d.Seconds())
}

// lazy holds the children of a labelled metric by index, created on first use (so that the
// exposition shows only the label values seen, as the kubelet's does) and then read with
// one atomic load.
type lazy[T any] struct{ slots []atomic.Pointer[T] }

func newLazy[T any](n int) lazy[T] { return lazy[T]{slots: make([]atomic.Pointer[T], n)} }

func (l *lazy[T]) get(i int, create func() T) T {
	if p := l.slots[i].Load(); p != nil {
		return *p
	}
	v := create() // a metric vector returns the same child for the same labels
	l.slots[i].Store(&v)
	return v
}

// gauge is a gauge whose value is read from a source at collection time.
type gauge struct {
	desc *prometheus.Desc
	bits atomic.Uint64 // math.Float64bits of the last value
}

func newGauge(name, help string) *gauge {
	return &gauge{desc: prometheus.NewDesc(name, help, nil, nil)}
}

func (g *gauge) set(v float64) { g.bits.Store(math.Float64bits(v)) }
func (g *gauge) get() float64  { return math.Float64frombits(g.bits.Load()) }
