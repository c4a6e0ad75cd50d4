#!/usr/bin/env bash
# .ci/containerd.sh — a throwaway containerd serving the CRI image service, for the cri tests.
#
# Everything lives in one temporary directory (config, root, state, socket, log, pid); nothing is
# written elsewhere and no system service is touched. Two ways to use it:
#
#   Sourced (exports IMAGEPULL_CRI_SOCKET into the calling shell):
#       . .ci/containerd.sh
#       containerd_start            # installs Debian's containerd if missing, starts it, waits
#       go test -race ./cri/
#       containerd_stop             # kills it (by its PID) and removes the directory
#
#   Executed:
#       eval "$(.ci/containerd.sh start)"    # prints export lines for the socket, dir and PID
#       .ci/containerd.sh stop "$IMAGEPULL_CONTAINERD_DIR"
#
# Exported by containerd_start: IMAGEPULL_CRI_SOCKET (the CRI socket path),
# IMAGEPULL_CONTAINERD_DIR (the temp dir), IMAGEPULL_CONTAINERD_PID.
#
# Registries: the CRI plugin reads hosts.toml files from <dir>/certs.d (config_path), which is
# left empty so that the machine's /etc/containerd/certs.d is never consulted. With no hosts.toml
# for a host, containerd's default for a loopback host (localhost, 127.0.0.1, ::1) on a port is
# plain HTTP (1.6: http with TLS verification off; 1.7+: http with an https fallback), so the
# test registries on random 127.0.0.1 ports need no per-port entry. Checked for real with
# Debian's containerd 1.6.20: pulls go to http://127.0.0.1:<port>/v2/….
# CNI is not needed by the image service: the CRI plugin only logs that no network config exists.

containerd_install() {
	if command -v containerd >/dev/null 2>&1; then
		return 0
	fi
	echo "containerd.sh: installing Debian's containerd" >&2
	if [ "$(id -u)" -ne 0 ]; then
		echo "containerd.sh: containerd is not installed and we are not root" >&2
		return 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq containerd >&2
}

# containerd_write_config DIR: writes DIR/config.toml pointing every path into DIR.
containerd_write_config() {
	local dir=$1
	mkdir -p "$dir/root" "$dir/state" "$dir/certs.d" "$dir/cni/conf" "$dir/cni/bin"
	cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
# Plugins the image service does not need: other snapshotters, tracing, the /opt installer.
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.overlayfs",
  "io.containerd.internal.v1.opt",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]

[grpc]
  address = "$dir/containerd.sock"

[ttrpc]
  address = "$dir/containerd.sock.ttrpc"

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  disable_tcp_service = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$dir/cni/bin"
    conf_dir = "$dir/cni/conf"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$dir/certs.d"
TOML
}

# containerd_start: install if needed, start containerd in the background, wait (bounded) until
# its CRI socket answers, export IMAGEPULL_CRI_SOCKET.
containerd_start() {
	containerd_install || return 1
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/imagepull-containerd.XXXXXX") || return 1
	containerd_write_config "$dir"
	local start=$(date +%s%N)
	containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
	local pid=$!
	echo "$pid" >"$dir/containerd.pid"
	# Ready when the socket exists and the CRI plugin has logged that it serves (bounded: 30 s).
	local i
	for i in $(seq 1 300); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "containerd.sh: containerd exited during start; log:" >&2
			cat "$dir/containerd.log" >&2
			rm -rf "$dir"
			return 1
		fi
		if [ -S "$dir/containerd.sock" ] && grep -q 'containerd successfully booted' "$dir/containerd.log"; then
			break
		fi
		sleep 0.1
	done
	if ! grep -q 'containerd successfully booted' "$dir/containerd.log"; then
		echo "containerd.sh: containerd did not become ready in 30s; log:" >&2
		cat "$dir/containerd.log" >&2
		kill "$pid" 2>/dev/null
		return 1
	fi
	local ms=$((($(date +%s%N) - start) / 1000000))
	export IMAGEPULL_CRI_SOCKET="$dir/containerd.sock"
	export IMAGEPULL_CONTAINERD_DIR="$dir"
	export IMAGEPULL_CONTAINERD_PID="$pid"
	echo "containerd.sh: $(containerd --version | awk '{print $3}') ready in ${ms}ms at $IMAGEPULL_CRI_SOCKET (pid $pid)" >&2
}

# containerd_running PID: the process exists and is not a zombie (a zombie is what a stopped
# containerd started by this shell stays until it is waited for).
containerd_running() {
	[ -r "/proc/$1/stat" ] || return 1
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# containerd_stop [DIR]: stop the containerd started in DIR (default $IMAGEPULL_CONTAINERD_DIR)
# by its recorded PID (SIGTERM, then SIGKILL after 10 s), and remove DIR.
containerd_stop() {
	local dir=${1:-${IMAGEPULL_CONTAINERD_DIR:-}}
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	local pid
	pid=$(cat "$dir/containerd.pid" 2>/dev/null)
	if [ -n "$pid" ] && containerd_running "$pid"; then
		kill "$pid"
		local i
		for i in $(seq 1 100); do
			containerd_running "$pid" || break
			sleep 0.1
		done
		containerd_running "$pid" && kill -9 "$pid"
	fi
	# Reap it when it is this shell's child; a no-op otherwise.
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	# Nothing is mounted: the native snapshotter keeps plain directories.
	rm -rf "$dir"
	if [ "$dir" = "${IMAGEPULL_CONTAINERD_DIR:-}" ]; then
		unset IMAGEPULL_CRI_SOCKET IMAGEPULL_CONTAINERD_DIR IMAGEPULL_CONTAINERD_PID
	fi
	return 0
}

# Executed rather than sourced: act on the first argument.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	case "${1:-}" in
	start)
		containerd_start || exit 1
		printf 'export IMAGEPULL_CRI_SOCKET=%q IMAGEPULL_CONTAINERD_DIR=%q IMAGEPULL_CONTAINERD_PID=%q\n' \
			"$IMAGEPULL_CRI_SOCKET" "$IMAGEPULL_CONTAINERD_DIR" "$IMAGEPULL_CONTAINERD_PID"
		;;
	stop)
		containerd_stop "${2:-}"
		;;
	*)
		echo "usage: $0 start | stop DIR   (or source it and call containerd_start / containerd_stop)" >&2
		exit 2
		;;
	esac
fi
