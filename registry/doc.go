// Package registry is a [pullpolicy.Resolver] over the OCI distribution API: it asks a
// registry which digest an image reference names now, so that [pullpolicy.Decide] under the
// Always policy can tell whether the image on the node is current without pulling it.
//
//	r, err := registry.NewResolver(nil)
//	…
//	d, err := r.Resolve(ctx, reference.MustParse("nginx:1.27"))
//
// It is built on oras-go v2 (oras.land/oras-go/v2/registry/remote/auth and …/retry) and is
// kept in its own package so that importing reference or pullpolicy never links it.
//
// # Protocol
//
// One Resolve is normally one request: HEAD /v2/<path>/manifests/<tag or digest>, with an
// Accept header for the OCI index and manifest and the Docker manifest list and v2 manifest,
// answered by the Docker-Content-Digest header. For a multi-platform image that is the
// index's digest, the top-level digest a runtime records as the repo digest. The resolver
// falls back to GET only when the header is missing or malformed, when HEAD is refused (405),
// or when a digest reference is answered with another digest; the body is then hashed and
// checked against the header and the digest asked for ([ErrDigestMismatch]). A well-formed
// but wrong header on a HEAD answer cannot be detected without the body and is believed.
//
// A reference with a digest is resolved by its digest (a tag next to it is ignored, as
// containerd does); the registry is still asked, because it also authorizes the pull.
// Docker Hub references ("nginx", "docker.io/library/nginx") go to registry-1.docker.io;
// any other registry is addressed by its host[:port]. HTTPS is used everywhere except for
// the hosts listed in [Options.PlainHTTP] and mirrors given as http:// URLs.
//
// # Credentials
//
// Credentials are the kubelet's, from package credential: the node-wide ones in
// [Options.Credentials], a [credential.Keyring] (credential.FromDockerConfigFile of the
// node's docker config, or credential.FromDockerConfigJSON), looked up for each endpoint's
// host the way the kubelet's keyring picks them; and a call's own (a pod's pull Secrets),
// passed per call to [Resolver.ResolveWithCredentials] or bound with [Resolver.WithCredentials]
// as the ordered list that matched the image (credential.Keyring.Lookup), exactly as a
// [kubelet.Puller] receives them. A call's own are tried first, then the node-wide ones,
// each in turn until the registry accepts one; nothing is kept in global or context state.
// [Resolver] implements [kubelet.CredentialResolver], so a [kubelet.ImageManager] with this
// Resolver resolves a private image with the pod's own Secret. Anonymous access, Basic, and
// Bearer tokens from the registry's token service (WWW-Authenticate challenge, realm, service
// and repository pull scope) are all handled, as are a credential's identity token (an OAuth2
// refresh token) and registry token. Tokens are cached per registry host and per credential,
// never shared between credentials.
//
// Credentials are offered only to the host they were chosen for. A redirect to another
// origin (host or port) drops the Authorization header, and a 401 from another origin is
// not answered with credentials. A token service on another host receives the credentials
// it needs to issue a token (as with Docker Hub's auth.docker.io), and nothing else; oras
// refuses token realms on internal addresses unless the registry itself is on that host.
//
// # Failures
//
// Requests are retried after connection errors and 408, 429 and 5xx answers, with an
// exponential backoff or the wait a Retry-After header asks for, at most [Options.MaxRetries]
// times and never past the caller's deadline or [Options.Timeout]. What remains is an
// [*Error] classified by kind: [pullpolicy.ErrRegistryUnavailable] for a registry that cannot
// be reached or keeps failing, [ErrNotFound], [ErrUnauthorized] (never unavailable),
// [ErrDigestMismatch]. Mirrors ([Options.Mirrors]) are tried in order before the registry;
// any mirror failure moves on to the next, and the registry's own answer decides.
//
// # Probing
//
// [Resolver.Probe] is for diagnosis rather than decisions: it asks the registry itself about
// one image with one credential (or anonymously), without retries, and classifies the answer
// as a [Kind] (found, not found with the tags the repository lists, repository unknown,
// unauthorized, denied, rate-limited with Docker Hub's RateLimit-Limit, RateLimit-Remaining
// and Retry-After, TLS unknown authority or wrong name, DNS, timeout, plain HTTP refused in
// either direction, connection refused, unavailable), with a one-line text for people
// ([ProbeResult.Text]). What it reads is bounded, and it never shows a credential's secret.
// [Options.RootCAs] trusts a private registry's CA.
//
// # Concurrency and resources
//
// A [Resolver] is safe for concurrent use and starts no goroutines; its HTTP transport is
// its own (never http.DefaultTransport), and [Resolver.CloseIdleConnections] releases its
// keep-alive connections.
package registry
