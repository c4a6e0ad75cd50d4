#!/usr/bin/env bash
# .ci/kubelet-diff.sh — the differential against the kubelet's own KEP-2535 code
# (internal/kubelet-diff, a module of its own that imports k8s.io/kubernetes v1.37.2).
#
# Checks that the module builds with Kubernetes' own pinned dependency versions, vets it, and
# runs its tests: the seed scenarios, the cross-reading tests, the seed corpus replayed by the
# fuzz target, and IMAGEPULL_DIFF_RANDOM random operation sequences (default here 3000, about
# 70 s) through the differential without the fuzzer's instrumentation. A coverage-guided fuzz run
# is opt-in (KUBELET_DIFF_FUZZ=4000x, say), accepted on Go's coordinator deadline race
# (golang/go#75804) only when no reproducer was written, as .ci/run does.
#
# Cost: measured once cold (empty GOCACHE, warm module cache, load average 3–7): go vet's first
# pass over the k8s.io graph 7 min, the tests 15 s; a fuzz run adds 16 min cold, almost all of it
# recompiling that graph with coverage instrumentation, which is why CI runs the random
# sequences instead. Warm: about 1 min.
#
# Environment: IMAGEPULL_DIFF_RANDOM, the number of random sequences; KUBELET_DIFF_FUZZ, a fuzz
# budget ("off", the default, skips the fuzz run).
set -euo pipefail
cd "$(dirname "$0")/../internal/kubelet-diff"

echo "kubelet-diff.sh: checking the pins against k8s.io/kubernetes' go.mod" >&2
k8s_gomod=$(go list -m -f '{{.GoMod}}' k8s.io/kubernetes)
pins=$(mktemp)
selected=$(mktemp)
trap 'rm -f "$pins" "$selected"' EXIT
awk '/^\t[a-z]/ && $2 ~ /^v/ && $2 != "v0.0.0" {print $1, $2}' "$k8s_gomod" | sort >"$pins"
go list -m -f '{{.Path}} {{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' all | sort >"$selected"
drift=$(join "$selected" "$pins" | awk '$2 != $3')
if [ -n "$drift" ]; then
	echo "kubelet-diff.sh: versions differ from Kubernetes' pins (module, selected, pinned); add replace lines:" >&2
	echo "$drift" >&2
	exit 1
fi

go vet ./...
# -vet=off: go vet ./... above ran every analyzer; go test's own subset would vet the k8s.io graph again.
CI=true IMAGEPULL_DIFF_RANDOM=${IMAGEPULL_DIFF_RANDOM:-3000} go test -vet=off -count=1 -timeout 15m ./...

budget=${KUBELET_DIFF_FUZZ:-off}
if [ "$budget" = off ]; then
	exit 0
fi
echo "kubelet-diff.sh: fuzzing FuzzDifferential ($budget)" >&2
corpus() { find testdata/fuzz -type f 2>/dev/null | sort; }
before=$(corpus)
log=$(mktemp)
if go test -vet=off . -run '^$' -fuzz '^FuzzDifferential$' -fuzztime "$budget" -fuzzminimizetime 200x 2>&1 | tee "$log"; then
	rm -f "$log"
	exit 0
fi
if [ "$(corpus)" = "$before" ] && grep -q 'context deadline exceeded' "$log"; then
	echo "fuzz: FuzzDifferential hit the coordinator's deadline race (golang/go#75804) with no reproducer written; accepted"
	rm -f "$log"
	exit 0
fi
echo "fuzz: FuzzDifferential failed; new reproducers:"
comm -13 <(echo "$before") <(corpus)
rm -f "$log"
exit 1
