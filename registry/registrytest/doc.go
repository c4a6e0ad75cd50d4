// Package registrytest serves an in-process OCI distribution registry on 127.0.0.1, with
// request recording, authentication and fault injection, for tests and examples of code that
// talks to registries — a test double to import, as net/http/httptest is. It is built on
// go-containerregistry's in-memory registry.
//
// # Starting and stopping
//
// Tests call [New], which registers [Registry.Close] with t.Cleanup; main programs call
// [Start] and Close themselves:
//
//	r := registrytest.New(t, registrytest.Options{})
//	d, err := r.PushRandom(ctx, "app:v1") // d is the manifest digest
//	ref := r.Ref("app", "v1")             // "127.0.0.1:PORT/app:v1"
//
// The registry listens on two loopback ports. [Registry.Host] is the registry proper: it
// authenticates, injects faults and records requests. [Registry.OtherHost] is "another
// host" that serves the same content plainly; it is the target of injected redirects and,
// with [Auth.TokenOnOtherHost], of the token realm. Both speak plain HTTP, so clients must
// treat 127.0.0.1 as an insecure (HTTP) registry, unless [Options.TLS] makes both serve HTTPS
// with a certificate from a self-signed CA ([Registry.CAPEM], [Registry.CertPool]), valid for
// the names [TLS] gives (a wrong name on purpose, if need be).
//
// [Registry.Stop] closes both listeners, so clients get "connection refused";
// [Registry.Restart] listens again on the same ports with the content kept. [Registry.Close]
// stops for good. After Close no goroutine of the registry is left running.
//
// # Content
//
// [Registry.PushRandom] pushes a random single-platform OCI image (valid, one tiny layer),
// [Registry.PushIndex] an OCI index of random images for the given platforms,
// [Registry.PushBlob] and [Registry.PushManifest] hand-made content (any media type, for
// example Docker schema 2), [Registry.Tag] points a tag at a stored manifest, and
// [Registry.DeleteTag] removes a tag. Pushing to an existing tag
// moves it; the old image stays reachable by digest. These helpers write straight to the
// in-memory content: they are not counted, ignore auth and faults, and work while the
// registry is stopped. Unknown repositories, tags and blobs answer 404 with an OCI error body
// (NAME_UNKNOWN, MANIFEST_UNKNOWN, BLOB_UNKNOWN).
//
// # Counting requests
//
// Every request is recorded when it arrives, before it is answered. [Registry.Count] counts
// requests to the registry host by method and path prefix:
//
//	r.Count("HEAD", "/v2/app/manifests/v1") // HEADs of app:v1
//	r.Count("", "/v2/app/blobs/")           // blob requests of any method
//	r.Count("GET", "/token")                // token requests on the registry host
//
// [Registry.Counts] returns the counts per method and path, [Registry.Requests] every request
// on both hosts with its Authorization header (to check that credentials do not leak to
// another host), and [Registry.ResetCounts] forgets them.
//
// # Authentication
//
// [Registry.SetAuth] (or [Options.Auth]) switches between no authentication, Basic, and the
// Bearer token flow with a token endpoint at /token; see [Auth]. Wrong credentials get 401
// with an OCI error body whose code is UNAUTHORIZED.
//
// # Faults
//
// [Registry.Inject] adds a [Fault] for the next N matching requests, or for all of them until
// removed: a status (429 with Retry-After, 500, 502, 503, 405 for a refused HEAD, …), a delay,
// a trickled body, a dropped connection, a missing, wrong or malformed Docker-Content-Digest
// header, a 307 redirect to [Registry.OtherHost], or extra answer headers such as Docker Hub's
// rate-limit headers ([DockerHubRateLimit]). Faults match by method and path prefix:
//
//	remove, err := r.Inject(registrytest.Fault{
//		Method: "HEAD", PathPrefix: "/v2/app/manifests/", Status: http.StatusMethodNotAllowed,
//	})
//
// Faults apply after authentication, and only on the registry host. Delays and trickled
// bodies end as soon as the client gives up or the registry stops, so no handler outlives its
// request.
//
// Two client behaviours matter when reading counts and recorded headers: Go's http.Transport
// retries an idempotent request once, silently, when a reused keep-alive connection is
// dropped; and Go's http.Client, following a redirect from 127.0.0.1:A to 127.0.0.1:B, keeps
// the Authorization header because it compares host names only (oras-go drops it when the
// port changes).
//
// # Concurrency
//
// All methods of [Registry] are safe for concurrent use, also while requests are served.
package registrytest
