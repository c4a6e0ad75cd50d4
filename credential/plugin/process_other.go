//go:build !unix

package plugin

import "os/exec"

// isolate leaves cmd as it is: without process groups only the plugin itself is killed.
func isolate(*exec.Cmd) {}

// killGroup does nothing where there are no process groups.
func killGroup(*exec.Cmd) error { return nil }
