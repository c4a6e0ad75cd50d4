package webhook

import (
	"encoding/json"
	"iter"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/admission"
)

// seen is what the plugin and the exclusions read of a pod.
type seen struct {
	Name, GenerateName, Namespace string
	Labels                        map[string]string
	Fields                        []string
}

// what returns what the plugin reads of p: its names and labels, and each image field's kind,
// index, name, image and policy, in the plugin's order.
func what(p *corev1.Pod) seen {
	return fieldsSeen(seen{Name: p.Name, GenerateName: p.GenerateName, Namespace: p.Namespace, Labels: p.Labels}, admission.ImageFields(&p.Spec))
}

// slimWhat is what for the webhook's slim pod.
func slimWhat(p *slimPod) seen {
	return fieldsSeen(seen{Name: p.Metadata.Name, GenerateName: p.Metadata.GenerateName, Namespace: p.Metadata.Namespace, Labels: p.Metadata.Labels}, p.ImageFields())
}

func fieldsSeen(s seen, fields iter.Seq[admission.ImageField]) seen {
	for f := range fields {
		s.Fields = append(s.Fields, f.PolicyPath().String()+" "+f.Name+" "+f.Image+" "+string(*f.Policy))
	}
	return s
}

// TestSlimDecodeSeesWhatThePodHolds: decoding through slimPod keeps every field the plugin
// reads, in order, exactly as decoding the whole corev1.Pod does.
func TestSlimDecodeSeesWhatThePodHolds(t *testing.T) {
	rich := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{GenerateName: "web-", Namespace: "team-a", Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"a": "b"}},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Image: "init:1", ImagePullPolicy: corev1.PullNever, Command: []string{"sh"}}},
			Containers: []corev1.Container{
				{Name: "app", Image: "app:1", Env: []corev1.EnvVar{{Name: "A", Value: "1"}},
					Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}}},
				{Name: "side", Image: "side:1", ImagePullPolicy: corev1.PullAlways},
			},
			EphemeralContainers: []corev1.EphemeralContainer{{TargetContainerName: "app", EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "debug", Image: "debug:1", ImagePullPolicy: corev1.PullIfNotPresent}}},
			Volumes: []corev1.Volume{
				{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "models", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "models:1", PullPolicy: corev1.PullNever}}},
			},
		},
	}
	for name, raw := range map[string][]byte{
		"a rich pod":        mustMarshal(t, rich),
		"an empty pod":      []byte(`{"apiVersion":"v1","kind":"Pod"}`),
		"null entries":      []byte(`{"spec":{"containers":[null,{"name":"a"}],"volumes":[null,{"image":null}]}}`),
		"keys in any case":  []byte(`{"Spec":{"CONTAINERS":[{"Name":"a","IMAGE":"b","imagepullpolicy":"Never"}]}}`),
		"duplicate keys":    []byte(`{"spec":{"containers":[{"image":"a","image":"b"}]}}`),
		"unknown fields":    []byte(`{"spec":{"containers":[{"image":"a","bogus":{"x":[1,2]}}]},"status":{"phase":"Running"}}`),
		"empty collections": []byte(`{"metadata":{"labels":{}},"spec":{"containers":[],"volumes":[]}}`),
	} {
		t.Run(name, func(t *testing.T) {
			var full corev1.Pod
			require.NoError(t, json.Unmarshal(raw, &full))
			obj, err := decodeObject(raw, metav1.GroupVersionKind{Version: "v1", Kind: "Pod"}, nil, false)
			require.NoError(t, err)
			got, ok := obj.(*slimPod)
			require.True(t, ok)
			assert.Equal(t, what(&full), slimWhat(got))
		})
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
