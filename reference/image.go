package reference

import (
	_ "crypto/sha256" // go-digest accepts only algorithms whose hash is linked: sha256,
	_ "crypto/sha512" // sha384 and sha512, as in the kubelet binary.
	"strings"

	distref "github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// defaultTag is the tag the kubelet assumes when a reference has neither tag nor digest.
const defaultTag = "latest"

// Image is a parsed, normalised image reference. It is an immutable value: comparable with ==
// and usable as a map key. Two Images are equal only when they were parsed from the same
// string; compare [Image.String] to ask whether two strings name the same reference.
//
// The zero Image is invalid ([Image.IsValid] reports false) and all its accessors return "".
type Image struct {
	original string // the string as given
	full     string // domain "/" path [":" tag] ["@" digest]; the tag is "latest" when neither was given
	domLen   int    // len(domain)
	repoLen  int    // len(domain "/" path)
	tagLen   int    // len(tag), 0 when full carries no tag
}

// Parse parses s as the kubelet does (pkg/util/parsers.ParseImageName): it accepts and rejects
// the same strings and normalises them the same way. A reference with neither a tag nor a digest
// gets the tag "latest"; a tag given next to a digest is kept.
//
// The returned error is a [*ParseError] that matches [ErrInvalid], with the kubelet's text,
// for example `couldn't parse image name "": invalid reference format`.
func Parse(s string) (Image, error) {
	p, err := parseNormalized(s)
	if err != nil {
		return Image{}, &ParseError{Input: s, Err: err}
	}
	lib, suffix := "", ""
	if p.lib {
		lib = officialPrefix
	}
	if p.tag == "" && p.digest == "" {
		suffix = ":" + defaultTag
	}
	img := Image{
		original: s,
		full:     p.domain + "/" + lib + p.rest + suffix,
		repoLen:  len(p.domain) + 1 + len(lib) + p.pathEnd,
		tagLen:   len(p.tag),
	}
	// The domain is empty for names such as "a_b.c/d", whose first component splits off as a
	// registry but is not a valid host: the kubelet's repository is then the path alone.
	if p.valid {
		img.domLen = len(p.domain)
	}
	if suffix != "" {
		img.tagLen = len(defaultTag)
	}
	return img, nil
}

// MustParse is like [Parse] but panics on an invalid reference. It is meant for tests and for
// hard-coded strings known to be valid.
func MustParse(s string) Image {
	img, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return img
}

// IsValid reports whether img came from a successful [Parse] (or a valid [Image.WithDigest]).
func (img Image) IsValid() bool { return img.full != "" }

// Original returns the string img was parsed from, unchanged: "nginx" for Parse("nginx").
func (img Image) Original() string { return img.original }

// String returns the normalised reference, with the tag "latest" filled in when neither a tag
// nor a digest was given: "docker.io/library/nginx:latest". A tag given next to a digest is kept:
// "docker.io/library/nginx:1.25@sha256:…".
func (img Image) String() string { return img.full }

// Repository returns the normalised repository name without tag or digest:
// "docker.io/library/nginx". It is the key the kubelet uses for credentials and pull records.
func (img Image) Repository() string { return img.full[:img.repoLen] }

// Domain returns the registry part of the repository: "docker.io", "localhost:5000", "[::1]:5000".
// It is "" in the rare case where distribution/reference finds no valid host in a first path
// component that nonetheless counts as a registry ("a_b.c/d").
func (img Image) Domain() string { return img.full[:img.domLen] }

// Path returns the repository path inside the registry, with "library/" added for official
// Docker Hub images: "library/nginx".
func (img Image) Path() string {
	start := img.domLen
	if start > 0 {
		start++ // the "/" after the domain
	}
	return img.full[start:img.repoLen]
}

// Tag returns the tag: the one given, "latest" when neither a tag nor a digest was given, and
// "" for a reference with a digest and no tag. This is the tag the kubelet's parser reports.
func (img Image) Tag() string {
	if img.tagLen == 0 {
		return ""
	}
	return img.full[img.repoLen+1 : img.repoLen+1+img.tagLen]
}

// Digest returns the digest given in the reference, or "" when there is none.
func (img Image) Digest() digest.Digest {
	at := img.repoLen
	if img.tagLen > 0 {
		at += 1 + img.tagLen
	}
	if at >= len(img.full) {
		return ""
	}
	return digest.Digest(img.full[at+1:])
}

// WithDefaultTag returns the string the kubelet hands the container runtime
// (applyDefaultImageTag in pkg/kubelet/images): the original string with ":latest" appended
// when it has neither tag nor digest. It is not normalised: "nginx" gives "nginx:latest",
// "docker.io/nginx" gives "docker.io/nginx:latest", and "registry:5000/latest" gives
// "registry:5000/latest:latest". The zero Image gives "".
func (img Image) WithDefaultTag() string {
	if !img.IsValid() || img.Digest() != "" {
		return img.original
	}
	tag := img.Tag()
	if n := len(img.original) - len(tag); n > 0 && img.original[n-1] == ':' && img.original[n:] == tag {
		return img.original
	}
	return img.original + ":" + tag
}

// Familiar returns the short form Docker prints: "nginx:latest" for
// "docker.io/library/nginx:latest", "user/app:v1" for "docker.io/user/app:v1". References to
// other registries are returned in full.
func (img Image) Familiar() string {
	if img.Domain() != "docker.io" {
		return img.full
	}
	path := img.Path()
	if rest, ok := strings.CutPrefix(path, "library/"); ok && !strings.Contains(rest, "/") {
		path = rest
	}
	return path + img.full[img.repoLen:]
}

// WithDigest returns the reference pinned to d, without a tag:
// "docker.io/library/nginx@sha256:…". This is what a runtime pulls when a tag and a digest are
// both given, and what [github.com/imagepull/imagepull/pullpolicy.Decide] pulls under Always. The
// result's Original is its normalised String. It returns the zero (invalid) Image when img is
// invalid or d is not a valid digest of a supported algorithm.
func (img Image) WithDigest(d digest.Digest) Image {
	if !img.IsValid() || !validDigest(d) {
		return Image{}
	}
	// The repository is valid and go-digest's Validate is stricter than the reference grammar,
	// so the result is what Parse would return for this string (FuzzParse checks it).
	full := img.Repository() + "@" + string(d)
	return Image{original: full, full: full, domLen: img.domLen, repoLen: img.repoLen}
}

// Named returns img as a distribution/reference Named, for use with libraries built on it.
// It returns nil for the zero Image.
func (img Image) Named() distref.Named {
	if !img.IsValid() {
		return nil
	}
	named, err := distref.ParseNormalizedNamed(img.full)
	if err != nil { // cannot happen: full was produced by the same parser
		return nil
	}
	return named
}

// MarshalText returns the original string, so that [Image.UnmarshalText] rebuilds an equal
// Image. The zero Image marshals to empty text.
func (img Image) MarshalText() ([]byte, error) { return []byte(img.original), nil }

// UnmarshalText parses text with [Parse]. Empty text gives the zero Image.
func (img *Image) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*img = Image{}
		return nil
	}
	parsed, err := Parse(string(text))
	if err != nil {
		return err
	}
	*img = parsed
	return nil
}

// validDigest is d.Validate() == nil, without go-digest's regular expression for the common
// sha256 case: exactly 64 lowercase hex digits (crypto/sha256 is linked by this package).
func validDigest(d digest.Digest) bool {
	hex, ok := strings.CutPrefix(string(d), "sha256:")
	if !ok {
		return d.Validate() == nil
	}
	return len(hex) == 64 && allBytes(hex, func(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' })
}
