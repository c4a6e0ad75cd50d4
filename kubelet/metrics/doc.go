// Package metrics exposes the image metrics of a [kubelet.ImageManager] on Prometheus under
// the kubelet's own names, so that the dashboards and alerts written for the kubelet work
// unchanged, and adds what operators ask for beyond them under the "imagepull_" prefix.
//
// The image manager links no metrics library: it reports through [kubelet.Metrics], which a
// [Recorder] implements. Wire it up once:
//
//	rec := metrics.New(&metrics.Options{OnDisk: fileRecords, InMemory: cachedRecords})
//	prometheus.MustRegister(rec)
//	m, err := kubelet.NewImageManager(kubelet.Config{..., Records: cachedRecords, Metrics: rec})
//	resolver, err := cache.NewResolver(upstream, &cache.ResolverOptions{Observer: rec.ResolveObserver("cache")})
//
// # The kubelet's metrics (Kubernetes v1.36, all ALPHA)
//
// The help texts carry the "[ALPHA] " prefix that the kubelet's component-base adds.
//
//   - kubelet_image_manager_ensure_image_requests_total (counter; pull_policy, present_locally,
//     pull_required): one per EnsureImageExists call. pull_policy is the policy applied,
//     lowercased ("always", "ifnotpresent", "never"; "invalid" for a policy the call rejected,
//     which the kubelet's API validation never lets through). present_locally and
//     pull_required are "true", "false" or "unknown", set as the kubelet sets them: Always
//     never asks the store (present_locally="unknown", pull_required="true"); an invalid name,
//     a store error or a failed credential check leave "unknown"; Never with the image absent
//     gives present_locally="false", pull_required="unknown".
//   - kubelet_image_pull_duration_seconds (histogram; image_size_in_bytes): the duration of
//     each successful pull from the Pulling event, waiting for a pull slot included, under the
//     image's size bucket ("0-10MB", "10MB-100MB", "100MB-500MB", "500MB-1GB", "1GB-5GB",
//     "5GB-10GB", "10GB-20GB", "20GB-30GB", "30GB-40GB", "40GB-60GB", "60GB-100GB",
//     "GT100GB", or "N/A" when the runtime reported no size; MB and GB are MiB and GiB, and a
//     size on a boundary belongs to the lower bucket). Buckets 1, 5, 10, 20, 30, 60, 120, 180,
//     240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600 seconds.
//   - kubelet_imagemanager_image_mustpull_checks_total (counter; result): one per credential
//     check of a present image (KEP-2535): "credentialPolicyAllowed", "credentialRecordFound",
//     "mustAuthenticate" or "error".
//   - kubelet_imagemanager_ondisk_pullintents and kubelet_imagemanager_ondisk_pulledrecords
//     (gauges): the intent and record files of [Options].OnDisk.
//   - kubelet_imagemanager_inmemory_pullintents_usage_percent and
//     kubelet_imagemanager_inmemory_pulledrecords_usage_percent (gauges): how full the
//     in-memory cache of [Options].InMemory is, in whole percent (rounded down).
//
// The record gauges are read from their sources when Prometheus scrapes, where the kubelet
// updates them after each write: the values are the same, only fresher. A count that cannot
// be read keeps its last value, as in the kubelet.
//
// # Beyond the kubelet
//
//   - imagepull_image_pulls_total (counter; result): each pull let through the back-off, from
//     the caller's side: "success", "image_pull_error", "registry_unavailable",
//     "signature_validation_failed" (the kubelet's classification of a runtime failure),
//     "qps_exceeded" (refused by registryPullQPS without a runtime call) or "canceled" (the
//     caller's context ended). A pull shared by several callers counts once per caller.
//   - imagepull_image_pull_back_offs_total (counter): pulls the back-off refused.
//   - imagepull_image_pulls_deduplicated_total (counter): pulls answered by another caller's
//     pull ([kubelet.Config].DeduplicatePulls); the runtime pulls made are
//     imagepull_image_pulls_total minus this.
//   - imagepull_offline_fallbacks_total (counter): containers started from a local image
//     because the registry was unavailable ([kubelet.Config].OfflineFallback).
//   - imagepull_resolves_total (counter; resolver, outcome) and
//     imagepull_resolve_duration_seconds (histogram; resolver): the resolves of the resolvers
//     given a [Recorder.ResolveObserver]. The caching resolver (cache.Resolver) reports "hit",
//     "negative_hit", "miss" (answered by the registry), "stale", "not_found", "unavailable",
//     "canceled" or "error"; the registry resolver (registry.Resolver) "resolved",
//     "not_found", "unauthorized", "digest_mismatch", "unavailable", "canceled" or "error".
//
// # Logs
//
// The image manager logs through log/slog ([kubelet.Config].Logger): one line per
// EnsureImageExists decision at debug level ("image decision") and one per pull at info level
// ("image pulled", "image pull failed"), with the stable keys pod, namespace, container,
// image, policy, action (UseLocal, Pull, Fail), reason (the event reason, or the waiting
// reason on failure) and duration; a pull adds outcome, shared, and imageRef and size or err.
// Credentials never appear in them.
//
// A Kubernetes component logging with logr or klog plugs its logger in with the standard
// bridges: logr.ToSlogHandler (github.com/go-logr/logr v1.3 and later) turns a logr.Logger
// into a slog.Handler, and klog (k8s.io/klog/v2) hands out its logger as a logr.Logger,
// klog.Background() (or klog.FromContext(ctx) in a contextual-logging component):
//
//	logger := slog.New(logr.ToSlogHandler(klog.Background()))
//	m, err := kubelet.NewImageManager(kubelet.Config{..., Logger: logger})
//
// The bridge maps slog levels to logr verbosity as level = info − verbosity: the decision
// lines (debug) show at klog -v=4, the pull lines (info) at -v=0.
package metrics
