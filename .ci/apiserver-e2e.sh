#!/usr/bin/env bash
# .ci/apiserver-e2e.sh — the AlwaysPullImages webhook against a real kube-apiserver and etcd.
#
# Installs Debian's etcd-server when etcd is missing, builds kube-apiserver v1.37.2 once (from the
# module proxy, in the build-only module internal/apiserver-e2e/kube-apiserver with its staging
# replace lines and Kubernetes' own dependency versions) into a temporary directory, and runs internal/apiserver-e2e's tests with CI=true, so that a missing
# binary fails instead of skipping. The seed-story test needs containerd: a throwaway one is
# started (.ci/containerd.sh) unless IMAGEPULL_CRI_SOCKET is already set.
#
# Environment: KUBE_APISERVER_BIN, when set, skips the build and uses that binary.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v etcd >/dev/null 2>&1; then
	echo "apiserver-e2e.sh: installing Debian's etcd-server" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/apiserver-e2e.XXXXXX")
started_containerd=
cleanup() {
	if [ -n "$started_containerd" ]; then containerd_stop; fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${KUBE_APISERVER_BIN:-}" ]; then
	echo "apiserver-e2e.sh: building kube-apiserver" >&2
	start=$(date +%s)
	version=k8s.io/component-base/version
	(cd internal/apiserver-e2e/kube-apiserver && go build -o "$work/kube-apiserver" \
		-ldflags "-s -w -X $version.gitVersion=v1.37.2 -X $version.gitMajor=1 -X $version.gitMinor=37" \
		k8s.io/kubernetes/cmd/kube-apiserver)
	echo "apiserver-e2e.sh: built in $(($(date +%s) - start)) s" >&2
	KUBE_APISERVER_BIN=$work/kube-apiserver
fi
export KUBE_APISERVER_BIN
ETCD_BIN=$(command -v etcd)
export ETCD_BIN

if [ -z "${IMAGEPULL_CRI_SOCKET:-}" ]; then
	# shellcheck source=containerd.sh
	. .ci/containerd.sh
	containerd_start
	started_containerd=1
fi

cd internal/apiserver-e2e
go vet ./...
CI=true go test -race -count=1 -timeout 10m ./...
