//go:build !linux

package plugin

import "os/exec"

// pidNamespaces reports whether runs may be started in PID namespaces of their own.
const pidNamespaces = false

func inNamespace(*exec.Cmd) {}

func namespaceRefused(error) bool { return false }

// mark marks nothing: only Linux sweeps for a run's processes.
func mark(*exec.Cmd) string { return "" }

func sweep(string) {}
