// Package controlplane starts a real etcd and real kube-apiserver processes on loopback for
// end-to-end tests: the binaries are built by .ci/apiserver-e2e.sh (kube-apiserver from
// k8s.io/kubernetes through the module proxy, etcd from Debian's etcd-server) and found through
// environment variables.
//
// Everything a process writes lives in one directory the caller owns; processes are stopped by
// their own PIDs.
package controlplane
