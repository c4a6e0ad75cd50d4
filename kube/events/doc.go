// Package events records the image manager's events on a client-go
// [k8s.io/client-go/tools/record.EventRecorder], the way the kubelet records them: on the
// container's object reference (the pod, with the field path "spec.containers{app}"), or
// on the pod itself for an image volume.
//
// It is a package of its own because client-go's recorder links its REST client: importing
// package kube (or lint) does not.
package events
