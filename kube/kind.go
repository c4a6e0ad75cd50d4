package kube

// ContainerKind says which image-bearing field of a pod spec an [Image] comes from.
type ContainerKind int

const (
	// Container is a regular container (spec.containers). It is the zero ContainerKind.
	Container ContainerKind = iota
	// InitContainer is an init container that runs to completion (spec.initContainers).
	InitContainer
	// SidecarContainer is a restartable init container (spec.initContainers with
	// restartPolicy: Always): a sidecar (KEP-753).
	SidecarContainer
	// EphemeralContainer is a debugging container (spec.ephemeralContainers).
	EphemeralContainer
	// ImageVolume is an image volume (spec.volumes[].image, KEP-4639): the kubelet pulls it
	// with the same image manager, before the pod's containers start.
	ImageVolume
)

// String returns the kind as the kubelet names it in its logs ("container", "init
// container", "ephemeral container"), with "sidecar container" and "image volume" for the
// other two.
func (k ContainerKind) String() string {
	switch k {
	case Container:
		return "container"
	case InitContainer:
		return "init container"
	case SidecarContainer:
		return "sidecar container"
	case EphemeralContainer:
		return "ephemeral container"
	case ImageVolume:
		return "image volume"
	}
	return "ContainerKind(" + itoa(int(k)) + ")"
}

// MarshalText returns [ContainerKind.String] with spaces as dashes ("init-container"), a
// stable token for machine-readable output.
func (k ContainerKind) MarshalText() ([]byte, error) {
	b := []byte(k.String())
	for i, c := range b {
		if c == ' ' {
			b[i] = '-'
		}
	}
	return b, nil
}
