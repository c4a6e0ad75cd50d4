// Package apiservere2e proves the AlwaysPullImages webhook (package
// github.com/imagepull/imagepull/admission/webhook) against a real kube-apiserver built from
// k8s.io/kubernetes v1.37.2 and a real etcd, and compares what it stores with what the API
// server's own AlwaysPullImages plugin stores for the same requests.
//
// It also proves imagepull doctor (issue 20): each of the scenarios is a world on the
// API server (a loopback registry, Secrets, service accounts, a node's status.images, pods whose
// status and events the library's kubelet code made), diagnosed by package doctor and by the
// built CLI against golden text and JSON, with the root cause named first checked
// (doctor_test.go); the runtime errors in those pods are checked against the real containerd,
// and BenchmarkDoctorAllNamespaces measures doctor -A over 1,000 failing pods.
//
// It is a module of its own so that the library's go.mod never requires client-go, and
// kube-apiserver is built in a third module, kube-apiserver/, that requires nothing but
// k8s.io/kubernetes, so that it gets exactly the dependency versions Kubernetes pins. Run it with
// .ci/apiserver-e2e.sh, which installs etcd, builds kube-apiserver once and sets
// KUBE_APISERVER_BIN (and ETCD_BIN). The seed story test and the check of the doctor
// scenarios' runtime errors also need a containerd CRI socket in IMAGEPULL_CRI_SOCKET
// (.ci/containerd.sh). Without the binaries the
// tests skip with one line; under CI=true they fail instead.
package apiservere2e
