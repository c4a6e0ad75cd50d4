package dialect

import (
	"fmt"
	"strings"
)

// System names a container system whose pull policies this package speaks. The names are
// the ones the CLI's --dialect flag takes.
type System string

// The systems, in the order [Systems] lists them.
const (
	// Podman is Podman and Buildah: --pull, and pull_policy in containers.conf
	// (containers/common pkg/config.ParsePullPolicy).
	Podman System = "podman"
	// Docker is the Docker CLI's docker run/create --pull.
	Docker System = "docker"
	// Compose is Docker Compose's pull_policy (compose-spec, compose-go, docker/compose).
	Compose System = "compose"
	// Nerdctl is nerdctl run/create --pull.
	Nerdctl System = "nerdctl"
	// ECS is the Amazon ECS container agent's ECS_IMAGE_PULL_BEHAVIOR.
	ECS System = "ecs"
	// Nomad is the Nomad docker driver's force_pull.
	Nomad System = "nomad"
	// GitLab is GitLab Runner's pull_policy, an ordered list.
	GitLab System = "gitlab"
)

// systems is the order of [Systems]; it is never modified.
var systems = [...]System{Podman, Docker, Compose, Nerdctl, ECS, Nomad, GitLab}

// Systems returns every supported system, in a fixed order. The slice is the caller's.
func Systems() []System { return append([]System(nil), systems[:]...) }

// ParseSystem returns the System named s, exactly as spelled in [Systems] ("podman", not
// "Podman"). Any other name gives an error wrapping [ErrUnknownSystem].
func ParseSystem(s string) (System, error) {
	for _, sys := range systems {
		if string(sys) == s {
			return sys, nil
		}
	}
	return "", unknownSystem(s)
}

// String returns the system's name.
func (s System) String() string { return string(s) }

// unknownSystem is the error for a name that is not one of [Systems].
func unknownSystem(s string) error {
	names := make([]string, len(systems))
	for i, sys := range systems {
		names[i] = string(sys)
	}
	return fmt.Errorf("%w %q: supported dialects are %s", ErrUnknownSystem, s, strings.Join(names, ", "))
}
