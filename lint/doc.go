// Package lint checks Kubernetes manifests for pull-policy mistakes, kubelet-exact: the rules
// behind `imagepull lint`, the configuration-validation step the pull-policy guides
// recommend running in CI.
//
// # Rules
//
// Each rule has a stable ID, a name, a default [Severity], a one-sentence why and a fix hint
// ([Rules]):
//
//	IP001 policy-not-set                    warning  imagePullPolicy left to defaulting (says what it defaults to)
//	IP002 mutable-tag                       warning  latest, or no tag
//	IP003 ifnotpresent-mutable-tag          error    IfNotPresent with latest or no tag: nodes keep different builds
//	IP004 always-digest                     note     Always on a digest-pinned image
//	IP005 policy-never                      warning  Never: the image must be preloaded on every node
//	IP006 tag-and-digest                    warning  a tag next to a digest: the runtime ignores the tag
//	IP007 invalid-image                     error    the image does not parse (the kubelet's own error text)
//	IP008 private-registry-no-pull-secrets  note     a private-looking registry and no imagePullSecrets
//	IP009 required-policy                   error    not the policy [Config].RequirePolicy requires (as AlwaysPullImages)
//	IP010 invalid-policy                    error    a policy the API server rejects ("always")
//	IP011 unserved-api-version              error    an API version the targeted release does not serve (extensions/v1beta1)
//
// IP011 is about the whole object (Finding.Container and Image are empty); the release is
// [Config].KubernetesVersion, [DefaultKubernetesVersion] by default.
//
// # Suppressions
//
// An annotation on the object or its pod template silences one rule, with a reason:
// "imagepull.dev/ignore-mutable-tag: why", or for one container
// "imagepull.dev/ignore-IP002.web: why" ([SuppressionPrefix]). Suppressed findings are
// still returned, with [Finding].Suppression set, and every output lists them as suppressed.
//
// The policy checked is the one the API server stores: the written one, or the default of
// the image ([pullpolicy.Default]), for containers, init and sidecar containers, ephemeral
// containers and image volumes alike ([kube.PodImages]).
//
// # Configuration
//
// A [Config] overrides severities, disables rules and sets a required policy; [ParseConfig]
// reads the same from a YAML file, and [Config.Set] from "RULE=VALUE" flags.
//
// # Output
//
// [WriteText] is for people, [WriteJSON] for machines, [WriteSARIF] (SARIF 2.1.0) for
// code-scanning UIs. [Reaches] tells whether any finding reaches a severity, for an exit
// code.
package lint
