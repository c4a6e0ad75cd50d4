#!/usr/bin/env bash
# The CI integrations of the README's "In CI", run for real where the tools are: the
# pre-commit hook through the pre-commit framework itself (Debian's package), and the
# Dockerfile through docker when a daemon answers. cmd/imagepull's ci_test.go validates the
# same files without them.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

if ! command -v pre-commit >/dev/null; then
	echo "== installing pre-commit (Debian's package)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends pre-commit >/dev/null
fi
echo "== pre-commit $(pre-commit --version | cut -d' ' -f2): try-repo on the imagepull-lint hook"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
# pre-commit's golang language runs `go install ./...` with GOPATH in its cache; the module
# cache stays the usual one, read offline.
export GOMODCACHE="${GOMODCACHE:-$(go env GOMODCACHE)}" GOPROXY=off GOFLAGS=-buildvcs=false
mkdir "$work/project"
cd "$work/project"
git init -q .
cp "$repo/examples/manifests/shop.yaml" shop.yaml
cat >pinned.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: pinned}
spec:
  containers:
  - {name: app, image: "nginx:1.25.3", imagePullPolicy: IfNotPresent}
YAML
git add shop.yaml pinned.yaml

set +e
out=$(pre-commit try-repo "$repo" imagepull-lint --files shop.yaml 2>&1)
code=$?
set -e
echo "$out" | tail -n 20
if [ "$code" -ne 1 ] || ! grep -q 'IP003 ifnotpresent-mutable-tag' <<<"$out"; then
	echo "FAIL: the hook should fail on shop.yaml (exit 1, IP003), got exit $code"
	exit 1
fi
pre-commit try-repo "$repo" imagepull-lint --files pinned.yaml
echo "ok: the hook fails on findings and passes a clean manifest"

cd "$repo"
if timeout 10 docker info >/dev/null 2>&1; then
	echo "== docker build"
	docker build -t imagepull:ci .
	docker run --rm -v "$repo/examples/manifests:/m:ro" imagepull:ci lint -f /m --fail-on never
	user=$(docker image inspect -f '{{.Config.User}}' imagepull:ci)
	[ "$user" = "65532:65532" ] || { echo "FAIL: the image runs as $user"; exit 1; }
else
	echo "SKIPPED docker build: no container daemon answers (docker info failed)"
fi
