package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

var _ pullpolicy.Store = (*Store)(nil)

// ErrUnknownImage is returned by [Store.Tag] for an image ID the store does not hold.
var ErrUnknownImage = errors.New("cache: unknown image ID")

// Store is an in-memory local image store: images by ID, found by tag or by digest, as a CRI
// runtime such as containerd keeps them. A tag names one image at a time: adding or tagging an
// image with a tag that another image holds moves the tag, and the other image keeps its ID and
// digests. The zero Store is not usable; call [NewStore]. A Store is safe for concurrent use.
type Store struct {
	mu       sync.RWMutex                     // protects the three maps
	images   map[string]pullpolicy.LocalImage // by ID; their slices are never modified in place
	byTag    map[nameKey]string               // (repository, tag) → ID
	byDigest map[nameKey]string               // (repository, digest) → ID
}

// nameKey finds an image by repository and tag, or by repository and digest, without building
// a string.
type nameKey struct{ repo, ref string }

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{
		images:   make(map[string]pullpolicy.LocalImage),
		byTag:    make(map[nameKey]string),
		byDigest: make(map[nameKey]string),
	}
}

// Add records img. RepoTags must be tagged references and RepoDigests digest references
// (familiar forms such as "nginx:1.25" are accepted); they are stored normalised
// ("docker.io/library/nginx:1.25"). When the store already holds img.ID, the names are added
// to it and the size is replaced, as when a runtime pulls the same image under another name;
// a non-zero Pulled time replaces the one held, a zero one keeps it.
// A tag held by another image moves to img. An empty ID is derived from the names, so that a
// store can be filled from image names alone: the same names always give the same ID, a
// "sha256:" digest as a runtime's image IDs are. Add returns an error, and changes nothing,
// when a name is invalid, or when img has neither an ID nor a name.
func (s *Store) Add(img pullpolicy.LocalImage) error {
	tags, err := normalise(img.RepoTags, true)
	if err != nil {
		return err
	}
	digests, err := normalise(img.RepoDigests, false)
	if err != nil {
		return err
	}
	if img.ID == "" {
		if len(tags)+len(digests) == 0 {
			return errors.New("cache: image has neither an ID nor a name")
		}
		img.ID = derivedID(tags, digests)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.images[img.ID]
	if !ok {
		cur = pullpolicy.LocalImage{ID: img.ID}
	}
	cur.Size = img.Size
	if !img.Pulled.IsZero() {
		cur.Pulled = img.Pulled
	}
	s.images[img.ID] = cur
	for _, t := range tags {
		s.attach(img.ID, t, true)
	}
	for _, d := range digests {
		s.attach(img.ID, d, false)
	}
	return nil
}

// Tag gives the image with the given ID the tag ref ("nginx:latest" or its normalised form),
// moving it from any image that holds it. It returns an error wrapping [ErrUnknownImage] when
// the store holds no such image.
func (s *Store) Tag(id, ref string) error {
	tags, err := normalise([]string{ref}, true)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.images[id]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownImage, id)
	}
	s.attach(id, tags[0], true)
	return nil
}

// Remove deletes the image with the given ID and all its names. It reports whether the store
// held it.
func (s *Store) Remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	img, ok := s.images[id]
	if !ok {
		return false
	}
	for _, t := range img.RepoTags {
		delete(s.byTag, keyOf(reference.MustParse(t), true))
	}
	for _, d := range img.RepoDigests {
		delete(s.byDigest, keyOf(reference.MustParse(d), false))
	}
	delete(s.images, id)
	return true
}

// Lookup implements [pullpolicy.Store]: it finds img by digest when img has one (a tag next to
// it is ignored, as containerd does), and by tag otherwise. The slices of the returned
// LocalImage are shared with the store and must not be modified. It returns ctx.Err() when
// ctx is done, and an error for the zero Image.
func (s *Store) Lookup(ctx context.Context, img reference.Image) (pullpolicy.LocalImage, bool, error) {
	if err := ctx.Err(); err != nil {
		return pullpolicy.LocalImage{}, false, err
	}
	if !img.IsValid() {
		return pullpolicy.LocalImage{}, false, errors.New("cache: lookup of an invalid image reference")
	}
	byTag := img.Digest() == ""
	s.mu.RLock()
	defer s.mu.RUnlock()
	index := s.byDigest
	if byTag {
		index = s.byTag
	}
	id, ok := index[keyOf(img, byTag)]
	if !ok {
		return pullpolicy.LocalImage{}, false, nil
	}
	return s.images[id], true, nil
}

// List returns a copy of every image, sorted by ID.
func (s *Store) List() []pullpolicy.LocalImage {
	s.mu.RLock()
	out := make([]pullpolicy.LocalImage, 0, len(s.images))
	for _, img := range s.images {
		img.RepoTags, img.RepoDigests = slices.Clone(img.RepoTags), slices.Clone(img.RepoDigests)
		out = append(out, img)
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b pullpolicy.LocalImage) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// ListImages returns [Store.List]; with it a Store is a kubelet.ImageLister, from which the
// image manager recovers interrupted pulls at startup.
func (s *Store) ListImages(context.Context) ([]pullpolicy.LocalImage, error) { return s.List(), nil }

// derivedID is the ID of an image known only by its names: the SHA-256 of the normalised names.
func derivedID(tags, digests []reference.Image) string {
	h := sha256.New()
	for _, list := range [][]reference.Image{tags, digests} {
		for _, n := range list {
			h.Write([]byte(n.String()))
			h.Write([]byte{'\n'})
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Len returns the number of images.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.images)
}

// attach names image id with ref (a tag when isTag, else a digest), taking the name away from
// the image that held it. The caller holds s.mu.
func (s *Store) attach(id string, ref reference.Image, isTag bool) {
	index := s.byDigest
	if isTag {
		index = s.byTag
	}
	key, name := keyOf(ref, isTag), ref.String()
	if prev, ok := index[key]; ok {
		if prev == id {
			return
		}
		old := s.images[prev]
		if isTag {
			old.RepoTags = without(old.RepoTags, name)
		} else {
			old.RepoDigests = without(old.RepoDigests, name)
		}
		s.images[prev] = old
	}
	index[key] = id
	img := s.images[id]
	if isTag {
		img.RepoTags = append(slices.Clip(img.RepoTags), name)
	} else {
		img.RepoDigests = append(slices.Clip(img.RepoDigests), name)
	}
	s.images[id] = img
}

// keyOf is the index key of a tag or digest reference.
func keyOf(img reference.Image, isTag bool) nameKey {
	if isTag {
		return nameKey{img.Repository(), img.Tag()}
	}
	return nameKey{img.Repository(), string(img.Digest())}
}

// normalise parses names as tags (a tag and no digest) or as digests (a digest and no tag).
func normalise(names []string, tags bool) ([]reference.Image, error) {
	out := make([]reference.Image, 0, len(names))
	for _, n := range names {
		img, err := reference.Parse(n)
		if err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		hasDigest := img.Digest() != ""
		switch {
		case tags && hasDigest:
			return nil, fmt.Errorf("cache: repo tag %q carries a digest", n)
		case !tags && (!hasDigest || img.Tag() != ""):
			return nil, fmt.Errorf("cache: repo digest %q is not of the form name@digest", n)
		}
		out = append(out, img)
	}
	return out, nil
}

// without returns a new slice holding names except name; the input is not modified.
func without(names []string, name string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n != name {
			out = append(out, n)
		}
	}
	return out
}
