// Package kubeletdiff is a differential test of this library's KEP-2535 layer against the
// kubelet's own code: random sequences of pull intents, pulled records, failed pulls, must-pull
// checks and restarts go through the real pull manager of k8s.io/kubernetes v1.37.2
// (pkg/kubelet/images/pullmanager, over its file records accessor) and through
// kubelet/pullmanager over cache.FileRecords, side by side, and after every step the answers and
// the two records directories (file names and bytes) must be equal.
//
// It is a module of its own (like internal/apiserver-e2e) so that the root module never
// depends on k8s.io/kubernetes; everything is in its tests: the fuzz target FuzzDifferential,
// the named scenarios its seed corpus is made of, the cross-reading tests (a directory written by
// one side opened by the other) and the side-by-side benchmarks. .ci/kubelet-diff.sh runs them.
package kubeletdiff
