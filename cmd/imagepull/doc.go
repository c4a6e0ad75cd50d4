// Command imagepull explains, checks and makes the kubelet's image pull decisions from the
// command line, with the library's kubelet-exact semantics (Kubernetes v1.36.3).
//
// Usage:
//
//	imagepull <command> [flags] [arguments]
//
// The commands:
//
//	explain   for every image of every workload: its pull policy, why, and what the kubelet does
//	lint      check manifests' image pull policies (rules IP001…, text, JSON or SARIF)
//	decide    one pull decision for an image, a policy and a node (or another system's policy)
//	resolve   the digest a registry gives for an image reference
//	records   list a kubelet's pull records (KEP-2535): who may use which image
//	webhook   serve the AlwaysPullImages admission plugin as an admission webhook
//	version   the module version, VCS revision and Go version of the binary (also --version)
//	doctor    why a pod's image cannot be pulled, read from a live cluster (package doctor)
//
// Every command takes --help (with examples) and -o text|json (lint also sarif; webhook's -o is
// its log format). Exit codes: 0 success, 1 the
// answer is a failure (a decision that fails, a registry error, lint findings), 2 bad usage or
// unreadable input, 130 interrupted (Ctrl-C).
//
// # Design
//
// Each subcommand is a standard library flag.FlagSet, with flags allowed anywhere among the
// arguments and long aliases of short flags: the module gains no dependency, and the flags
// read as the kubelet's own (--image-credential-provider-config). The work is the library's:
// explain asks the kubelet's image manager (package kubelet) with a puller that pulls nothing
// and pull records it never writes, so its events are the kubelet's own.
//
// Kustomizations are rendered with the kustomize library (package kube/kustomize), which only
// this command links; Helm charts are left to helm template, piped into -f -.
package main
