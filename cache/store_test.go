package cache_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

var (
	digestOne = digest.FromString("one")
	digestTwo = digest.FromString("two")
)

func lookup(t *testing.T, s *cache.Store, ref string) (pullpolicy.LocalImage, bool) {
	t.Helper()
	img, ok, err := s.Lookup(t.Context(), reference.MustParse(ref))
	require.NoError(t, err)
	return img, ok
}

func TestStoreLookup(t *testing.T) {
	s := cache.NewStore()
	require.NoError(t, s.Add(pullpolicy.LocalImage{
		ID: "sha256:a", RepoTags: []string{"nginx:1.25", "docker.io/library/nginx:latest"},
		RepoDigests: []string{"nginx@" + string(digestOne)}, Size: 7,
	}))
	cases := []struct {
		ref    string
		wantID string // "" when absent
	}{
		{"nginx:1.25", "sha256:a"},
		{"docker.io/library/nginx:1.25", "sha256:a"},
		{"index.docker.io/library/nginx:1.25", "sha256:a"},
		{"nginx", "sha256:a"},
		{"nginx:latest", "sha256:a"},
		{"nginx@" + string(digestOne), "sha256:a"},
		{"nginx:anything@" + string(digestOne), "sha256:a"}, // a tag next to a digest is ignored
		{"nginx:1.25@" + string(digestTwo), ""},             // the digest decides
		{"nginx:1.26", ""},
		{"nginx@" + string(digestTwo), ""},
		{"other/nginx:1.25", ""},
		{"ghcr.io/library/nginx:1.25", ""},
	}
	for _, tc := range cases {
		t.Run(tc.ref, func(t *testing.T) {
			img, ok := lookup(t, s, tc.ref)
			assert.Equal(t, tc.wantID != "", ok)
			assert.Equal(t, tc.wantID, img.ID)
			if ok {
				assert.Equal(t, []string{"docker.io/library/nginx:1.25", "docker.io/library/nginx:latest"}, img.RepoTags, "names are stored normalised")
				assert.Equal(t, []string{"docker.io/library/nginx@" + string(digestOne)}, img.RepoDigests)
				assert.Equal(t, int64(7), img.Size)
			}
		})
	}
}

func TestStoreTagMoves(t *testing.T) {
	s := cache.NewStore()
	require.NoError(t, s.Add(pullpolicy.LocalImage{ID: "old", RepoTags: []string{"app:v1"}, RepoDigests: []string{"app@" + string(digestOne)}}))
	require.NoError(t, s.Add(pullpolicy.LocalImage{ID: "new", RepoTags: []string{"app:v1"}, RepoDigests: []string{"app@" + string(digestTwo)}}))

	img, ok := lookup(t, s, "app:v1")
	require.True(t, ok)
	assert.Equal(t, "new", img.ID, "the tag moved")
	old, ok := lookup(t, s, "app@"+string(digestOne))
	require.True(t, ok, "the old image keeps its digest")
	assert.Equal(t, "old", old.ID)
	assert.Empty(t, old.RepoTags, "and loses the tag")
	assert.Equal(t, 2, s.Len())

	require.NoError(t, s.Tag("old", "app:v1"))
	img, _ = lookup(t, s, "app:v1")
	assert.Equal(t, "old", img.ID)
	assert.ErrorIs(t, s.Tag("missing", "app:v2"), cache.ErrUnknownImage)
}

func TestStoreAddMergesSameID(t *testing.T) {
	s := cache.NewStore()
	require.NoError(t, s.Add(pullpolicy.LocalImage{ID: "x", RepoTags: []string{"a:1"}, Size: 1}))
	require.NoError(t, s.Add(pullpolicy.LocalImage{ID: "x", RepoTags: []string{"b:1", "a:1"}, Size: 2}))
	img, ok := lookup(t, s, "b:1")
	require.True(t, ok)
	assert.Equal(t, []string{"docker.io/library/a:1", "docker.io/library/b:1"}, img.RepoTags)
	assert.Equal(t, int64(2), img.Size)
	assert.Equal(t, 1, s.Len())
}

// TestStorePulledTime checks that Add keeps the time an image was last pulled: a later Add
// with a time replaces it, one without (a re-tag of unknown time) keeps it.
func TestStorePulledTime(t *testing.T) {
	first := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name  string
		again time.Time // Pulled of the second Add of the same ID
		want  time.Time
	}{
		{"a newer pull replaces the time", first.Add(time.Hour), first.Add(time.Hour)},
		{"an unknown time keeps it", time.Time{}, first},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := cache.NewStore()
			require.NoError(t, s.Add(pullpolicy.LocalImage{ID: "x", RepoTags: []string{"a:1"}, Pulled: first}))
			require.NoError(t, s.Add(pullpolicy.LocalImage{ID: "x", RepoTags: []string{"a:2"}, Pulled: tc.again}))
			img, ok := lookup(t, s, "a:1")
			require.True(t, ok)
			assert.Equal(t, tc.want, img.Pulled)
			assert.Equal(t, tc.want, s.List()[0].Pulled)
		})
	}
}

func TestStoreRemove(t *testing.T) {
	s := cache.NewStore()
	require.NoError(t, s.Add(pullpolicy.LocalImage{ID: "x", RepoTags: []string{"a:1"}, RepoDigests: []string{"a@" + string(digestOne)}}))
	assert.True(t, s.Remove("x"))
	assert.False(t, s.Remove("x"))
	_, ok := lookup(t, s, "a:1")
	assert.False(t, ok)
	_, ok = lookup(t, s, "a@"+string(digestOne))
	assert.False(t, ok)
	assert.Empty(t, s.List())
}

// TestStoreFromNames checks that a store fills from image names alone: the ID is derived from
// the normalised names, the same for every spelling of them, and the image is found by each.
func TestStoreFromNames(t *testing.T) {
	s := cache.NewStore()
	require.NoError(t, s.Add(pullpolicy.LocalImage{RepoTags: []string{"nginx:1.25"}}))
	require.NoError(t, s.Add(pullpolicy.LocalImage{RepoTags: []string{"docker.io/library/nginx:1.25"}}))
	require.NoError(t, s.Add(pullpolicy.LocalImage{RepoTags: []string{"redis:7"}, RepoDigests: []string{"redis@" + string(digestOne)}}))
	require.Equal(t, 2, s.Len(), "two spellings of one name are one image")
	nginx, ok := lookup(t, s, "nginx:1.25")
	require.True(t, ok)
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, nginx.ID)
	redis, ok := lookup(t, s, "redis@"+string(digestOne))
	require.True(t, ok)
	assert.NotEqual(t, nginx.ID, redis.ID)
	listed, err := s.ListImages(t.Context())
	require.NoError(t, err)
	assert.Equal(t, s.List(), listed)
}

func TestStoreRejectsBadInput(t *testing.T) {
	cases := []struct {
		name string
		img  pullpolicy.LocalImage
		err  string
	}{
		{"no-id-no-name", pullpolicy.LocalImage{Size: 1}, "cache: image has neither an ID nor a name"},
		{"bad-tag", pullpolicy.LocalImage{ID: "x", RepoTags: []string{"A:1"}}, `cache: couldn't parse image name "A:1": invalid reference format: repository name (library/A) must be lowercase`},
		{"tag-with-digest", pullpolicy.LocalImage{ID: "x", RepoTags: []string{"a:1@" + string(digestOne)}}, `cache: repo tag "a:1@` + string(digestOne) + `" carries a digest`},
		{"digest-without-digest", pullpolicy.LocalImage{ID: "x", RepoDigests: []string{"a:1"}}, `cache: repo digest "a:1" is not of the form name@digest`},
		{"digest-with-tag", pullpolicy.LocalImage{ID: "x", RepoDigests: []string{"a:1@" + string(digestOne)}}, `cache: repo digest "a:1@` + string(digestOne) + `" is not of the form name@digest`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := cache.NewStore()
			assert.EqualError(t, s.Add(tc.img), tc.err)
			assert.Zero(t, s.Len(), "a failed Add changes nothing")
		})
	}
	s := cache.NewStore()
	_, _, err := s.Lookup(t.Context(), reference.Image{})
	assert.Error(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err = s.Lookup(ctx, reference.MustParse("a"))
	assert.ErrorIs(t, err, context.Canceled)
}

func TestStoreListIsACopy(t *testing.T) {
	s := cache.NewStore()
	require.NoError(t, s.Add(pullpolicy.LocalImage{ID: "b", RepoTags: []string{"b:1"}}))
	require.NoError(t, s.Add(pullpolicy.LocalImage{ID: "a", RepoTags: []string{"a:1"}}))
	list := s.List()
	require.Len(t, list, 2)
	assert.Equal(t, "a", list[0].ID, "sorted by ID")
	list[0].RepoTags[0] = "mutated"
	img, ok := lookup(t, s, "a:1")
	require.True(t, ok)
	assert.Equal(t, "docker.io/library/a:1", img.RepoTags[0])
}

// TestStoreConcurrent runs adds, tag moves, removes and lookups at once; run with -race.
func TestStoreConcurrent(t *testing.T) {
	s := cache.NewStore()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 200 {
				id := fmt.Sprintf("id-%d-%d", w, i%10)
				_ = s.Add(pullpolicy.LocalImage{ID: id, RepoTags: []string{fmt.Sprintf("app:%d", i%5)}})
				_ = s.Tag(id, "app:shared")
				img, ok, err := s.Lookup(t.Context(), reference.MustParse("app:shared"))
				assert.NoError(t, err)
				if ok {
					assert.Contains(t, img.RepoTags, "docker.io/library/app:shared")
				}
				if i%7 == 0 {
					s.Remove(id)
				}
			}
		})
	}
	wg.Wait()
	owners := 0
	for _, img := range s.List() {
		for _, tag := range img.RepoTags {
			if tag == "docker.io/library/app:shared" {
				owners++
			}
		}
	}
	assert.LessOrEqual(t, owners, 1, "a tag names at most one image")
}
