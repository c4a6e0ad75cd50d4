// Package kustomize renders kustomizations with the kustomize API library
// (sigs.k8s.io/kustomize/api, the library behind kubectl kustomize and kustomize build), as
// kube-linter and other tools embedding kustomize do (krusty.MakeKustomizer with the
// default options, over filesys.MakeFsOnDisk), and reads the result with [kube.Read], so
// that the objects are linted as they are applied: with the overlays' images overrides, name
// prefixes and patches.
//
// It is a package of its own because the kustomize library is large: the core packages and
// package lint do not link it (credential/plugin's dependency test checks).
package kustomize
