package reference_test

import (
	"strings"
	"testing"

	distref "github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/internal/clip"
	"github.com/imagepull/imagepull/reference"
)

// fuzzSeeds are the tricky inputs of SEMANTICS.md §2 and §11.
var fuzzSeeds = []string{
	"nginx", "nginx:latest", "nginx:1.25.3", "nginx@" + dg, "nginx:latest@" + dg, "localhost",
	"localhost:5000", "localhost:5000/foo", "Foo/bar", "foo/Bar", "ROOT", "http://root", "",
	" ", "\tnginx", "nginx:", ":tag", "a_b.c/d", "[::1]:5000/foo", "[::1]/foo",
	"index.docker.io/nginx", "registry-1.docker.io/nginx", "registry:5000/latest",
	"sha256:" + strings.Repeat("a", 64), strings.Repeat("a", 64), strings.Repeat("a", 250),
	"a/" + strings.Repeat("a", 250), "nginx@sha512:" + strings.Repeat("a", 128),
	"nginx@sha256:" + strings.Repeat("A", 64), "nginx@md5:" + strings.Repeat("a", 32),
	"192.168.1.1:5000/foo:v1", "nginx:_ok", "foo..bar", "EXAMPLE.com/foo",
	"Foo_bar/x", "a_b.c/d:v1@" + dg, "[fe80::1%25eth0]:5000/x", "[]/x", "[::1]:/x", "host:/x",
	"a-.b/c", "-a.b/c", "x:abc/y", "nginx:v1@sha256+b.c-d_e:" + strings.Repeat("F", 32),
	"nginx@a.:" + strings.Repeat("a", 32), "nginx:\u212a", "docker.io/library/x:K",
	"a__b", "a___b", "a._b", "a-----b", "localhost:5000:6000/x", "LOCALHOST:5000/foo",
}

// FuzzWithDigest checks that WithDigest accepts exactly the digests go-digest validates.
func FuzzWithDigest(f *testing.F) {
	for _, d := range []string{dg, "sha256:" + strings.Repeat("A", 64), "sha512:" + strings.Repeat("a", 128), "md5:" + strings.Repeat("a", 32), "", "sha256:"} {
		f.Add(d)
	}
	img := reference.MustParse("nginx:1.25")
	f.Fuzz(func(t *testing.T, d string) {
		pinned := img.WithDigest(digest.Digest(d))
		assert.Equal(t, digest.Digest(d).Validate() == nil, pinned.IsValid(), "digest %q", d)
	})
}

// FuzzParse checks, for any string, that Parse never panics, accepts and rejects exactly what
// distribution/reference.ParseNormalizedNamed does with the kubelet's error text, and that an
// accepted reference is stable: Parse(img.String()) names the same reference, and the text
// round trip rebuilds an equal Image.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		img, err := reference.Parse(s)
		named, derr := distref.ParseNormalizedNamed(s)
		if derr != nil {
			require.Error(t, err, "distribution rejects %q", s)
			assert.ErrorIs(t, err, reference.ErrInvalid)
			// The kubelet's text byte for byte, the input cut to 4 KiB and the reason to 16 KiB
			// (the bound, with its marker, only ever applies to inputs of no sane size).
			assert.Equal(t, pinQ(clip.String(s, clip.MaxImage))+clip.String(derr.Error(), clip.MaxErrorText), err.Error())
			assert.LessOrEqual(t, len(err.Error()), 2*len(pinQ(""))+clip.MaxImage*4+clip.MaxErrorText, "bounded")
			assert.False(t, img.IsValid())
			return
		}
		require.NoError(t, err, "distribution accepts %q", s)
		assert.Equal(t, named.Name(), img.Repository())
		assert.Equal(t, distref.Domain(named), img.Domain())
		assert.Equal(t, distref.Path(named), img.Path())
		if d, ok := named.(distref.Digested); ok {
			assert.Equal(t, d.Digest(), img.Digest())
		}
		if tg, ok := named.(distref.Tagged); ok {
			assert.Equal(t, tg.Tag(), img.Tag())
		}

		again, err := reference.Parse(img.String())
		require.NoError(t, err, "String() %q must parse", img.String())
		assert.Equal(t, img.String(), again.String())
		assert.Equal(t, img.Repository(), again.Repository())

		text, err := img.MarshalText()
		require.NoError(t, err)
		var back reference.Image
		require.NoError(t, back.UnmarshalText(text))
		assert.Equal(t, img, back)

		pinned := img.WithDigest("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
		require.True(t, pinned.IsValid())
		assert.Equal(t, reference.MustParse(pinned.String()), pinned, "WithDigest is what Parse gives")

		tagged, err := reference.Parse(img.WithDefaultTag())
		require.NoError(t, err, "WithDefaultTag() %q must parse", img.WithDefaultTag())
		assert.Equal(t, img.String(), tagged.String())
	})
}
