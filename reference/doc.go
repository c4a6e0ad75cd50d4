// Package reference parses container image references exactly as the Kubernetes kubelet does.
//
// The kubelet reads a container's image string with pkg/util/parsers.ParseImageName, a thin
// wrapper around [github.com/distribution/reference.ParseNormalizedNamed]. [Parse] gives the
// same acceptance, the same normalisation and the same error texts, and returns an [Image]: an
// immutable, comparable value that keeps both the string as written ([Image.Original]) and its
// normalised form ([Image.String]).
//
//	img, _ := reference.Parse("nginx")
//	img.Original()       // "nginx"
//	img.String()         // "docker.io/library/nginx:latest"
//	img.WithDefaultTag() // "nginx:latest" — what the kubelet hands the container runtime
//
// # Normalisation
//
// A string without "/" is always a Docker Hub name: "localhost:5000" is the image "localhost"
// with the tag "5000", and "example.com" is "docker.io/library/example.com". Otherwise the first
// path component is a registry when it is "localhost", contains "." or ":", or contains an
// uppercase letter ("Foo/bar" is valid, "foo/Bar" is not). "index.docker.io" is rewritten to
// "docker.io". When neither a tag nor a digest is given, the tag is "latest"; a tag given next to
// a digest is kept ("nginx:latest@sha256:…" has both).
//
// # Errors
//
// Every parse error matches errors.Is(err, [ErrInvalid]) and reads exactly as the kubelet's:
//
//	couldn't parse image name "FOO": invalid reference format: repository name (library/FOO) must be lowercase
//
// The underlying distribution/reference or go-digest error is kept, so errors.Is also matches
// [github.com/distribution/reference.ErrReferenceInvalidFormat] and its siblings.
//
// # Digests
//
// sha256, sha384 and sha512 digests are accepted, as by the kubelet binary, which links those
// hashes. This package links crypto/sha256 and crypto/sha512 so that go-digest knows them.
package reference
