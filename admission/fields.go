package admission

import (
	"iter"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PodFields is a pod as the plugin reads it, for a caller that holds only the fields the plugin
// reads rather than a whole *corev1.Pod (the webhook decodes a 100,000-container pod into a few
// strings per container instead of 100,000 corev1.Container values). Given as Request.Object or
// OldObject, it is treated exactly as a *corev1.Pod whose spec has the same image-bearing fields
// and whose metadata has the same name and generateName: [Admit] sets its policies through the
// fields' Policy pointers, [Validate] and [Skipped] read them. A nil PodFields interface value
// is no pod; an implementation's methods must work on the values the caller passes.
type PodFields interface {
	runtime.Object
	// ImageFields yields the pod's image-bearing fields as [ImageFields] yields a spec's: init
	// containers, containers, ephemeral containers, then image volumes, each with its index in
	// its list, and Policy pointing at the storage the pod's policy is read from.
	ImageFields() iter.Seq[ImageField]
	// PodName returns the pod's metadata.name and metadata.generateName.
	PodName() (name, generateName string)
}

// FieldKind is the kind of an image-bearing field of a pod spec.
type FieldKind int

// The image-bearing fields of a pod spec, in the order the plugin visits them.
const (
	// InitContainer is an entry of spec.initContainers.
	InitContainer FieldKind = iota + 1
	// Container is an entry of spec.containers.
	Container
	// EphemeralContainer is an entry of spec.ephemeralContainers.
	EphemeralContainer
	// ImageVolume is an entry of spec.volumes with an image source (KEP-4639).
	ImageVolume
)

// String returns the field's name in the pod spec: "initContainers", "containers",
// "ephemeralContainers" or "volumes".
func (k FieldKind) String() string {
	switch k {
	case InitContainer:
		return "initContainers"
	case Container:
		return "containers"
	case EphemeralContainer:
		return "ephemeralContainers"
	case ImageVolume:
		return "volumes"
	}
	return "FieldKind(" + strconv.Itoa(int(k)) + ")"
}

// ImageField is one image-bearing field of a pod spec: a container of any kind or an image
// volume.
type ImageField struct {
	// Kind is the list the field is in.
	Kind FieldKind
	// Index is the field's position in that list.
	Index int
	// Name is the container's or the volume's name.
	Name string
	// Image is the container's image or the image volume's reference, as written.
	Image string
	// Policy points at the field's pull policy (imagePullPolicy or image.pullPolicy) in the spec,
	// so that setting *Policy changes the pod.
	Policy *corev1.PullPolicy
}

// PolicyPath returns the field path of the pull policy, as the API server writes it in errors:
// spec.containers[1].imagePullPolicy, spec.volumes[0].image.pullPolicy.
func (f ImageField) PolicyPath() *field.Path {
	p := field.NewPath("spec", f.Kind.String()).Index(f.Index)
	if f.Kind == ImageVolume {
		return p.Child("image", "pullPolicy")
	}
	return p.Child("imagePullPolicy")
}

// PolicyPointer returns the JSON pointer (RFC 6901) of the pull policy in the pod's JSON:
// /spec/containers/1/imagePullPolicy, /spec/volumes/0/image/pullPolicy.
func (f ImageField) PolicyPointer() string {
	p := "/spec/" + f.Kind.String() + "/" + strconv.Itoa(f.Index)
	if f.Kind == ImageVolume {
		return p + "/image/pullPolicy"
	}
	return p + "/imagePullPolicy"
}

// ImageFields yields every image-bearing field of spec in the plugin's order: init containers,
// containers, ephemeral containers, then image volumes. Volumes of other sources are skipped.
// A nil spec yields nothing.
func ImageFields(spec *corev1.PodSpec) iter.Seq[ImageField] {
	return func(yield func(ImageField) bool) {
		if spec == nil {
			return
		}
		ok := containerFields(yield, InitContainer, len(spec.InitContainers), func(i int) *corev1.Container { return &spec.InitContainers[i] }) &&
			containerFields(yield, Container, len(spec.Containers), func(i int) *corev1.Container { return &spec.Containers[i] }) &&
			containerFields(yield, EphemeralContainer, len(spec.EphemeralContainers), func(i int) *corev1.Container {
				// The common part of an ephemeral container has a Container's fields.
				return (*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon)
			})
		for i := range spec.Volumes {
			v := &spec.Volumes[i]
			if !ok {
				return
			}
			if v.Image != nil {
				ok = yield(ImageField{Kind: ImageVolume, Index: i, Name: v.Name, Image: v.Image.Reference, Policy: &v.Image.PullPolicy})
			}
		}
	}
}

// containerFields yields the n containers of one kind, given by at; false when yield stopped.
func containerFields(yield func(ImageField) bool, kind FieldKind, n int, at func(int) *corev1.Container) bool {
	for i := range n {
		c := at(i)
		if !yield(ImageField{Kind: kind, Index: i, Name: c.Name, Image: c.Image, Policy: &c.ImagePullPolicy}) {
			return false
		}
	}
	return true
}
