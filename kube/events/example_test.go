package events_test

import (
	"context"
	"fmt"

	"k8s.io/client-go/tools/record"

	"github.com/imagepull/imagepull/kube/events"
	"github.com/imagepull/imagepull/kubelet"
)

// Forward the image manager's events to a client-go recorder, on the references the kubelet
// uses: the container's field path, or the pod itself for an image volume.
func ExampleRecorder() {
	fake := record.NewFakeRecorder(10)
	rec := &events.Recorder{Recorder: fake}
	pod := kubelet.Pod{Namespace: "shop", Name: "web", UID: "0d1e"}
	for _, req := range []kubelet.Request{
		{Pod: pod, Container: "app", Kind: kubelet.KindContainer, Image: "nginx:1.25"},
		{Pod: pod, Container: "models", Kind: kubelet.KindImageVolume, Image: "ghcr.io/acme/models:3"},
	} {
		rec.Event(context.Background(), &req, kubelet.Event{Type: "Normal", Reason: "Pulling", Message: "Pulling image " + fmt.Sprintf("%q", req.Image)})
		fmt.Printf("%s %q\n", <-fake.Events, events.Reference(&req, nil).FieldPath)
	}
	// Output:
	// Normal Pulling Pulling image "nginx:1.25" "spec.containers{app}"
	// Normal Pulling Pulling image "ghcr.io/acme/models:3" ""
}
