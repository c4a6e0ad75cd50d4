package reference_test

import (
	"strconv"
	"strings"
	"testing"

	distref "github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/internal/clip"
	"github.com/imagepull/imagepull/reference"
)

const dg = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// TestParseKubeletCases is SEMANTICS-CASES.md group P: ParseImageName's repo, tag and digest.
// P1–P9 are the kubelet's own TestParseImageName cases, pkg/util/parsers/parsers_test.go:35-43
// (see upstream_parsers_test.go for the count).
func TestParseKubeletCases(t *testing.T) {
	cases := []struct {
		id     string // case number in SEMANTICS-CASES.md
		input  string
		repo   string // the kubelet's repo output
		tag    string // the kubelet's tag output ("latest" when neither tag nor digest)
		digest string
	}{
		{"P1", "root", "docker.io/library/root", "latest", ""},
		{"P2", "root:tag", "docker.io/library/root", "tag", ""},
		{"P3", "root@" + dg, "docker.io/library/root", "", dg},
		{"P4", "user/repo", "docker.io/user/repo", "latest", ""},
		{"P5", "user/repo:tag", "docker.io/user/repo", "tag", ""},
		{"P6", "user/repo@" + dg, "docker.io/user/repo", "", dg},
		{"P7", "url:5000/repo", "url:5000/repo", "latest", ""},
		{"P8", "url:5000/repo:tag", "url:5000/repo", "tag", ""},
		{"P9", "url:5000/repo@" + dg, "url:5000/repo", "", dg},
		{"P10", "root:latest@" + dg, "docker.io/library/root", "latest", dg},
		{"P14", "root:v1@" + dg, "docker.io/library/root", "v1", dg},
		{"P15", "localhost", "docker.io/library/localhost", "latest", ""},
		{"P16", "localhost:5000", "docker.io/library/localhost", "5000", ""},
		{"P17", "foo:5000", "docker.io/library/foo", "5000", ""},
		{"P18", "example.com", "docker.io/library/example.com", "latest", ""},
		{"P19", "example.com:5000", "docker.io/library/example.com", "5000", ""},
		{"P20", "localhost/foo", "localhost/foo", "latest", ""},
		{"P21", "localhost:5000/foo", "localhost:5000/foo", "latest", ""},
		{"P22", "LOCALHOST/foo", "LOCALHOST/foo", "latest", ""},
		{"P23", "Foo/bar", "Foo/bar", "latest", ""},
		{"P24", "EXAMPLE.com/foo", "EXAMPLE.com/foo", "latest", ""},
		{"P28", "docker.io/nginx", "docker.io/library/nginx", "latest", ""},
		{"P29", "index.docker.io/nginx", "docker.io/library/nginx", "latest", ""},
		{"P30", "index.docker.io/library/nginx:1.0", "docker.io/library/nginx", "1.0", ""},
		{"P31", "registry-1.docker.io/nginx", "registry-1.docker.io/nginx", "latest", ""},
		{"P32", "my_registry/foo", "docker.io/my_registry/foo", "latest", ""},
		{"P33", "a.b/c_d/e__f/g-h.i:j", "a.b/c_d/e__f/g-h.i", "j", ""},
		{"P34", "nginx:Latest", "docker.io/library/nginx", "Latest", ""},
		{"P35", "nginx:_ok", "docker.io/library/nginx", "_ok", ""},
		{"P36", "nginx:" + strings.Repeat("t", 128), "docker.io/library/nginx", strings.Repeat("t", 128), ""},
		{"P46a", "nginx@sha384:" + strings.Repeat("a", 96), "docker.io/library/nginx", "", "sha384:" + strings.Repeat("a", 96)},
		{"P46b", "nginx@sha512:" + strings.Repeat("a", 128), "docker.io/library/nginx", "", "sha512:" + strings.Repeat("a", 128)},
		{"P48a", "foo__bar", "docker.io/library/foo__bar", "latest", ""},
		{"P48b", "foo--bar", "docker.io/library/foo--bar", "latest", ""},
		{"P48c", "foo.bar", "docker.io/library/foo.bar", "latest", ""},
		{"P51", "a/" + strings.Repeat("a", 250), "docker.io/a/" + strings.Repeat("a", 250), "latest", ""},
		{"P52", strings.Repeat("a", 246), "docker.io/library/" + strings.Repeat("a", 246), "latest", ""},
		{"P53a", "[::1]:5000/foo", "[::1]:5000/foo", "latest", ""},
		{"P53b", "[::1]/foo", "[::1]/foo", "latest", ""},
		{"P54", "192.168.1.1:5000/foo:v1", "192.168.1.1:5000/foo", "v1", ""},
		{"P55", "sha256:" + strings.Repeat("a", 64), "docker.io/library/sha256", strings.Repeat("a", 64), ""},
		{"P56", "gcr.io/project/image:tag@" + dg, "gcr.io/project/image", "tag", dg},
		{"latest-repo", "registry:5000/latest", "registry:5000/latest", "latest", ""},
		{"no-valid-host", "a_b.c/d:v1", "a_b.c/d", "v1", ""},
		{"no-valid-host-digest", "foo_bar.com/x/y@" + dg, "foo_bar.com/x/y", "", dg},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			img, err := reference.Parse(tc.input)
			require.NoError(t, err)
			assert.True(t, img.IsValid())
			assert.Equal(t, tc.input, img.Original())
			assert.Equal(t, tc.repo, img.Repository())
			assert.Equal(t, tc.tag, img.Tag())
			assert.Equal(t, digest.Digest(tc.digest), img.Digest())
			named, err := distref.ParseNormalizedNamed(tc.input)
			require.NoError(t, err)
			assert.Equal(t, distref.Domain(named), img.Domain())
			assert.Equal(t, distref.Path(named), img.Path())
		})
	}
}

// TestParseErrors is group P's rejections: the kubelet's error text, verbatim. P11–P13 are the
// kubelet's own TestParseImageName error cases, pkg/util/parsers/parsers_test.go:45-47.
func TestParseErrors(t *testing.T) {
	hex64 := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	cases := []struct {
		id     string
		input  string
		reason string // the text after the kubelet's prefix
		cause  error  // an underlying error the result must also match
	}{
		{"P11", "ROOT", "invalid reference format: repository name (library/ROOT) must be lowercase", distref.ErrReferenceInvalidFormat},
		{"P12", "http://root", "invalid reference format", distref.ErrReferenceInvalidFormat},
		{"P13", hex64, "invalid repository name (" + hex64 + "), cannot specify 64-byte hexadecimal strings", nil},
		{"P25", "foo/Bar", "invalid reference format: repository name (foo/Bar) must be lowercase", distref.ErrReferenceInvalidFormat},
		{"P26", "docker.io/Library/nginx", "invalid reference format: repository name (Library/nginx) must be lowercase", nil},
		{"P27", "FAILED_IMAGE", "invalid reference format: repository name (library/FAILED_IMAGE) must be lowercase", nil},
		{"P37", "nginx:" + strings.Repeat("t", 129), "invalid reference format", distref.ErrReferenceInvalidFormat},
		{"P38a", "nginx:-bad", "invalid reference format", nil},
		{"P38b", "nginx:.bad", "invalid reference format", nil},
		{"P39", "", "invalid reference format", distref.ErrReferenceInvalidFormat},
		{"P40a", " ", "invalid reference format", nil},
		{"P40b", "nginx ", "invalid reference format", nil},
		{"P40c", "nginx:latest ", "invalid reference format", nil},
		{"P40d", "\tnginx", "invalid reference format", nil},
		{"P40e", "nginx\n", "invalid reference format", nil},
		{"P41a", "nginx:", "invalid reference format", nil},
		{"P41b", ":tag", "invalid reference format", nil},
		{"P41c", "nginx@", "invalid reference format", nil},
		{"P42a", "nginx@sha256:abc", "invalid reference format", nil},
		{"P42b", "nginx@sha256:" + strings.Repeat("z", 64), "invalid reference format", nil},
		{"P43", "nginx@md5:" + strings.Repeat("a", 32), "unsupported digest algorithm", digest.ErrDigestUnsupported},
		{"P44", "nginx@sha256:" + strings.Repeat("A", 64), "invalid checksum digest format", digest.ErrDigestInvalidFormat},
		{"P45", "nginx@SHA256:" + strings.Repeat("a", 64), "invalid reference format: repository name (library/nginx@SHA256) must be lowercase", nil},
		{"P47a", "foo//bar", "invalid reference format", nil},
		{"P47b", "foo/bar/", "invalid reference format", nil},
		{"P47c", "/foo", "invalid reference format", nil},
		{"P47d", "foo___bar", "invalid reference format", nil},
		{"P47e", "foo..bar", "invalid reference format", nil},
		{"P47f", "-foo", "invalid reference format", nil},
		{"P47g", "foo-", "invalid reference format", nil},
		{"P47h", "nginx:latest:latest", "invalid reference format", nil},
		{"P49", strings.Repeat("a", 250), "repository name must not be more than 255 characters", distref.ErrNameTooLong},
		{"P50", "docker.io/" + strings.Repeat("a", 250), "repository name must not be more than 255 characters", distref.ErrNameTooLong},
		{"P57", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "invalid repository name (ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad), cannot specify 64-byte hexadecimal strings", nil},
		{"E10", "http://url", "invalid reference format", nil},
		{"ctrl", "nginx\x00", "invalid reference format", nil},
		{"nul-only", "\x7f", "invalid reference format", nil},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			img, err := reference.Parse(tc.input)
			require.Error(t, err)
			assert.False(t, img.IsValid())
			assert.Equal(t, reference.Image{}, img)
			assert.Equal(t, pinQ(tc.input)+tc.reason, err.Error())
			assert.ErrorIs(t, err, reference.ErrInvalid)
			if tc.cause != nil {
				assert.ErrorIs(t, err, tc.cause)
			}
			var pe *reference.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.input, pe.Input)
		})
	}
}

// pinQ is the kubelet's error prefix for s, Go-quoted as the kubelet's %q does.
func pinQ(s string) string { return "couldn't parse image name " + strconv.Quote(s) + ": " }

// TestWithDefaultTag is group A: the string the kubelet sends to the runtime.
func TestWithDefaultTag(t *testing.T) {
	cases := []struct {
		id, input, want string
	}{
		{"A1", "root", "root:latest"},
		{"A2", "root:tag", "root:tag"},
		{"A3", "root@" + dg, "root@" + dg},
		{"A4", "root:latest@" + dg, "root:latest@" + dg},
		{"A5", "root:latest", "root:latest"},
		{"A6", "docker.io/nginx", "docker.io/nginx:latest"},
		{"A7", "index.docker.io/nginx", "index.docker.io/nginx:latest"},
		{"A8", "localhost:5000", "localhost:5000"},
		{"A9", "registry:5000/latest", "registry:5000/latest:latest"},
		{"A10", "url:5000/repo", "url:5000/repo:latest"},
		{"A11", "Foo/bar", "Foo/bar:latest"},
		{"latest-name", "latest", "latest:latest"},
		{"tag-is-latest-name", "latest:latest", "latest:latest"},
		{"ipv6", "[::1]:5000/foo", "[::1]:5000/foo:latest"},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			assert.Equal(t, tc.want, reference.MustParse(tc.input).WithDefaultTag())
		})
	}
	t.Run("A12", func(t *testing.T) {
		_, err := reference.Parse("FAILED_IMAGE")
		assert.EqualError(t, err, `couldn't parse image name "FAILED_IMAGE": invalid reference format: repository name (library/FAILED_IMAGE) must be lowercase`)
	})
}

// TestForms checks String and Familiar against distribution/reference's own renderings.
func TestForms(t *testing.T) {
	cases := []struct {
		input, full, familiar string
	}{
		{"nginx", "docker.io/library/nginx:latest", "nginx:latest"},
		{"docker.io/library/nginx:latest", "docker.io/library/nginx:latest", "nginx:latest"},
		{"nginx:1.25.3", "docker.io/library/nginx:1.25.3", "nginx:1.25.3"},
		{"nginx@" + dg, "docker.io/library/nginx@" + dg, "nginx@" + dg},
		{"nginx:latest@" + dg, "docker.io/library/nginx:latest@" + dg, "nginx:latest@" + dg},
		{"user/app:v1", "docker.io/user/app:v1", "user/app:v1"},
		{"docker.io/library/foo/bar", "docker.io/library/foo/bar:latest", "library/foo/bar:latest"},
		{"localhost:5000", "docker.io/library/localhost:5000", "localhost:5000"},
		{"ghcr.io/org/app:v2", "ghcr.io/org/app:v2", "ghcr.io/org/app:v2"},
		{"registry:5000/latest", "registry:5000/latest:latest", "registry:5000/latest:latest"},
	}
	for _, tc := range cases {
		t.Run(tc.input, func(t *testing.T) {
			img := reference.MustParse(tc.input)
			assert.Equal(t, tc.full, img.String())
			assert.Equal(t, tc.familiar, img.Familiar())
			named, err := distref.ParseNormalizedNamed(tc.input)
			require.NoError(t, err)
			assert.Equal(t, distref.TagNameOnly(named).String(), img.String(), "distribution's normalised form")
			assert.Equal(t, distref.FamiliarString(distref.TagNameOnly(named)), img.Familiar(), "distribution's familiar form")
			assert.Equal(t, distref.TagNameOnly(named).String(), img.Named().String())
		})
	}
}

func TestSameReferenceDifferentOriginal(t *testing.T) {
	a, b := reference.MustParse("nginx"), reference.MustParse("docker.io/library/nginx:latest")
	assert.Equal(t, a.Repository(), b.Repository())
	assert.Equal(t, a.Tag(), b.Tag())
	assert.Equal(t, a.String(), b.String())
	assert.NotEqual(t, a, b, "Images keep the string as written")
	assert.Equal(t, "nginx:latest", a.WithDefaultTag())
	assert.Equal(t, "docker.io/library/nginx:latest", b.WithDefaultTag())
	m := map[reference.Image]int{a: 1, b: 2}
	assert.Len(t, m, 2, "Image is usable as a map key")
	assert.Equal(t, a, reference.MustParse("nginx"), "equal strings give equal Images")
}

func TestWithDigest(t *testing.T) {
	cases := []struct {
		name, input string
		d           digest.Digest
		want        string // "" for the zero Image
	}{
		{"tag", "nginx:1.25", dg, "docker.io/library/nginx@" + dg},
		{"no-tag", "nginx", dg, "docker.io/library/nginx@" + dg},
		{"tag-and-digest", "nginx:latest@sha256:" + strings.Repeat("b", 64), dg, "docker.io/library/nginx@" + dg},
		{"other-registry", "127.0.0.1:5000/app:v1", dg, "127.0.0.1:5000/app@" + dg},
		{"sha512", "nginx", digest.Digest("sha512:" + strings.Repeat("c", 128)), "docker.io/library/nginx@sha512:" + strings.Repeat("c", 128)},
		{"invalid-digest", "nginx", "sha256:abc", ""},
		{"empty-digest", "nginx", "", ""},
		{"unknown-algorithm", "nginx", digest.Digest("md5:" + strings.Repeat("a", 32)), ""},
		{"sha256-uppercase", "nginx", digest.Digest("sha256:" + strings.Repeat("A", 64)), ""},
		{"sha256-short", "nginx", digest.Digest("sha256:" + strings.Repeat("a", 63)), ""},
		{"sha256-long", "nginx", digest.Digest("sha256:" + strings.Repeat("a", 65)), ""},
		{"sha256-not-hex", "nginx", digest.Digest("sha256:" + strings.Repeat("g", 64)), ""},
		{"sha384", "nginx", digest.Digest("sha384:" + strings.Repeat("a", 96)), "docker.io/library/nginx@sha384:" + strings.Repeat("a", 96)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pinned := reference.MustParse(tc.input).WithDigest(tc.d)
			assert.Equal(t, tc.want, pinned.String())
			assert.Equal(t, tc.want != "", pinned.IsValid())
			if tc.want != "" {
				assert.Equal(t, tc.d, pinned.Digest())
				assert.Empty(t, pinned.Tag())
				assert.Equal(t, tc.want, pinned.Original())
				assert.Equal(t, pinned, reference.MustParse(pinned.String()))
			}
		})
	}
	assert.False(t, reference.Image{}.WithDigest(dg).IsValid())
}

func TestZeroImage(t *testing.T) {
	var zero reference.Image
	assert.False(t, zero.IsValid())
	for name, got := range map[string]string{
		"Original": zero.Original(), "String": zero.String(), "Repository": zero.Repository(),
		"Domain": zero.Domain(), "Path": zero.Path(), "Tag": zero.Tag(), "Digest": string(zero.Digest()),
		"WithDefaultTag": zero.WithDefaultTag(), "Familiar": zero.Familiar(),
	} {
		assert.Empty(t, got, name)
	}
	assert.Nil(t, zero.Named())
	text, err := zero.MarshalText()
	require.NoError(t, err)
	assert.Empty(t, text)
}

func TestTextRoundTrip(t *testing.T) {
	for _, s := range []string{"nginx", "localhost:5000", "nginx:latest@" + dg, "[::1]:5000/foo", "Foo/bar"} {
		t.Run(s, func(t *testing.T) {
			img := reference.MustParse(s)
			text, err := img.MarshalText()
			require.NoError(t, err)
			var back reference.Image
			require.NoError(t, back.UnmarshalText(text))
			assert.Equal(t, img, back)
		})
	}
	var img reference.Image
	err := img.UnmarshalText([]byte("FOO"))
	assert.ErrorIs(t, err, reference.ErrInvalid)
	require.NoError(t, img.UnmarshalText(nil))
	assert.False(t, img.IsValid())
}

// TestHugeInput checks 10 MB inputs: the kubelet's answer, quickly (distribution/reference's
// regular expressions take seconds on these; FuzzParse checks agreement on smaller inputs).
func TestHugeInput(t *testing.T) {
	const n = 10 << 20
	cases := []struct {
		name  string
		input string
		err   string // the text after the kubelet's prefix; "" when the kubelet accepts it
	}{
		{"name", strings.Repeat("a", n), "repository name must not be more than 255 characters"},
		{"tag", "nginx:" + strings.Repeat("a", n), "invalid reference format"},
		{"domain", strings.Repeat("a", n) + ".com/x", ""},
		{"spaces", strings.Repeat(" ", n), "invalid reference format"},
		{"digest", "nginx@sha256:" + strings.Repeat("a", n), "invalid checksum digest length"},
		{"unknown-algorithm", "nginx@foo:" + strings.Repeat("a", n), "unsupported digest algorithm"},
		{"uppercase-tag", "nginx:" + strings.Repeat("A", 100) + strings.Repeat("-", n), "invalid reference format"},
		{"uppercase-name", strings.Repeat("A", n), "invalid reference format: repository name (library/" + strings.Repeat("A", n) + ") must be lowercase"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img, err := reference.Parse(tc.input)
			if tc.err == "" {
				require.NoError(t, err)
				assert.Equal(t, "x", img.Path())
				return
			}
			require.ErrorIs(t, err, reference.ErrInvalid)
			want := pinQ(clip.String(tc.input, clip.MaxImage)) + clip.String(tc.err, clip.MaxErrorText)
			assert.True(t, err.Error() == want, "error text is the kubelet's, the input cut to 4 KiB")
			assert.Contains(t, err.Error(), "bytes cut]")
			assert.Less(t, len(err.Error()), 24<<10)
		})
	}
}

func TestMustParsePanics(t *testing.T) {
	assert.PanicsWithError(t, `couldn't parse image name "FOO": invalid reference format: repository name (library/FOO) must be lowercase`, func() {
		reference.MustParse("FOO")
	})
}
