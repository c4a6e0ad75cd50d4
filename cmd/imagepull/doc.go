// Command imagepull explains, checks and makes the kubelet's image pull decisions from the
// command line, with the library's kubelet-exact semantics (Kubernetes v1.36.3).
//
// Usage:
//
//	imagepull <command> [flags] [arguments]
//
// The commands:
//
//	decide    one pull decision for an image, a policy and a node
//	resolve   the digest a registry gives for an image reference
//	records   list a kubelet's pull records (KEP-2535): who may use which image
//
// Every command takes --help (with examples) and -o text|json. Exit codes: 0 success, 1 the
// answer is a failure (a decision that fails, a registry error), 2 bad usage or unreadable
// input, 130 interrupted (Ctrl-C).
package main
