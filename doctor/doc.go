// Package doctor explains why a pod's images cannot be pulled, the way the kubelet would
// come to it: for every image of every container, init container, ephemeral container and
// image volume of a pod, it reads from the API server the pull policy (as written and as
// stored), whether the pod's node holds the image (Node.status.images), the pull Secrets
// and the service account, then asks the registry with each credential in the kubelet's
// order, and names the root cause with a one-line fix. The pod's own waiting reason,
// message and events are set beside the diagnosis, with whether they agree.
//
// # What the kubelet does, and where
//
//   - The pull Secrets are the pod's spec.imagePullSecrets, fetched one by one; a
//     reference with an empty name is skipped and a Secret that cannot be fetched is left out
//     with a FailedToRetrieveImagePullSecret event, and the pull goes on without it
//     (k8s.io/kubernetes pkg/kubelet/kubelet_pods.go:1094 getPullSecretsForPod,
//     pkg/kubelet/kubelet.go:2317). The service account's imagePullSecrets are copied
//     into the pod at admission, never read by the kubelet.
//   - The credentials are looked up in a union keyring: the pod's Secrets first (all in
//     one keyring, the most specific location first), then the node's docker config, then
//     the credential provider plugins (pkg/kubelet/images/image_manager.go:314
//     MakeDockerKeyring(pullSecrets, UnionDockerKeyring{nodeKeyring, plugins}),
//     pkg/credentialprovider/secrets/secrets.go:29, pkg/credentialprovider/keyring.go:294).
//     A Secret whose content does not decode fails the lookup, and so the pull, with the
//     decoding error.
//   - The runtime is asked with each credential in turn until one works; with none, the
//     pull is anonymous (pkg/kubelet/kuberuntime/kuberuntime_image.go:38-70).
//   - With KubeletEnsureSecretPulledImages (KEP-2535), an image already on the node is
//     used only when this pod's credentials are known to reach it; otherwise the kubelet
//     pulls it again with them (pkg/kubelet/images/image_manager.go:250-284).
//   - Node.status.images holds at most 50 images (nodeStatusMaxImages,
//     pkg/kubelet/apis/config/v1beta1/defaults.go:210), the largest first, with at most 5
//     names each (pkg/kubelet/nodestatus/setters.go:402-414): an image missing from a list
//     of exactly 50 may still be on the node.
//
// # Bounds and permissions
//
// Registry calls go through a [Prober], at most [Options.MaxProbes] in all, at most
// [Options.PerRegistry] at a time to one registry, each bounded by [Options.ProbeTimeout];
// the same image asked with the same credential is asked once per [Doctor]. A read the
// caller is not allowed (403) is recorded in [Report.Forbidden] with its verb and
// resource, and the diagnosis goes on with what can be said. Credentials are never
// printed: a credential is named by where it came from.
package doctor
