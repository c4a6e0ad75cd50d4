#!/usr/bin/env bash
# The reliability suite, one command: crash trials on pull records (SIGKILL at random points,
# on record writes and on full Always pull cycles), hostile registry scenarios (the loopback
# registry's fault matrix, where credentials go, registries and plugins that echo credentials),
# hostile files, plugin descendants that escape their process group, and concurrent credential
# isolation under -race. Sizes: IMAGEPULL_CRASH_TRIALS kills per crash test (default 200),
# IMAGEPULL_ISOLATION_ROUNDS rounds of the isolation race (default 20). Figures are printed at
# the end; BENCHMARKS.md ("Reliability suite") has those of a run.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export IMAGEPULL_CRASH_TRIALS="${IMAGEPULL_CRASH_TRIALS:-200}"
export IMAGEPULL_ISOLATION_ROUNDS="${IMAGEPULL_ISOLATION_ROUNDS:-20}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() { # package, test pattern, flags…
	local pkg=$1 pattern=$2
	shift 2
	echo "== $pkg $pattern"
	go test "$pkg" -count=1 -v -run "$pattern" "$@" 2>&1 | tee -a "$log" | grep -E '^(--- |ok|FAIL)|kills|rounds|scenarios' || true
}

run ./cache 'TestFileRecordsSurviveKill$|TestFileRecordsAlwaysCycleSurvivesKill$' -timeout 30m
run ./cache 'TestFileRecordsHostileFiles|TestFileRecordsCorrupt|TestFileRecordsWriteFailures'
run ./credential 'TestFromDockerConfigFileHostile'
run ./registry 'TestResolveFaults|TestResolveSendsCredentialsExactlyWhere|TestResolveNeverSendsPodCredentialsToAMirror|TestUnreachable' -race
# CLI inputs (issue 18 items 9 and 10): FIFOs, devices and oversized files as manifests, lint
# configuration and credential provider configuration; a hang is a failure, not a stall.
run ./cmd/imagepull 'TestDirectorySkipsNonRegularFiles|TestExplicitFIFO|TestLintConfigNonRegular|TestCredentialProviderConfigNonRegular'
run ./lint 'TestLoadConfigHostile'
run ./credential/plugin 'TestReadConfigNonRegular'
run ./kubelet 'TestEnsureImageIsolationUnderCancellation|TestEnsureImageConcurrent|TestEnsureImageCancelledPullIsRecorded|TestEnsureImagePullerPanics|TestEnsureImageEmptySecretCoordinatesNeverMatch|TestEnsureImageBounds' -race
# issue 18 items 5-8: cancelled pulls the runtime honoured, registries and plugins that echo
# credentials, plugin descendants that call setsid
run ./kubelet 'TestEnsureImageCancelledPullHonouredKeepsIntent|TestEnsureImageCancelledInQueueDropsIntent|TestEnsureImageMasksEchoedCredentials' -race
run ./registry 'TestResolveMasksEchoedCredentials' -race
run ./cri 'TestPullMasksEchoedCredentials'
run ./credential/plugin 'TestPluginStderrMasked|TestPluginEscapedDescendantsAreKilled|TestPluginDescendantsAreKilled'
run ./cmd/imagepull 'TestRegistryEchoMasked'

passed=$(grep -cE '^\s*--- PASS' "$log" || true)
failed=$(grep -cE '^\s*--- FAIL' "$log" || true)
echo "== figures"
grep -E 'kills|rounds' "$log" | sed 's/^ *//' || true
echo "scenarios (tests and subtests): $passed passed, $failed failed"
[ "$failed" -eq 0 ] && ! grep -q '^FAIL' "$log"
