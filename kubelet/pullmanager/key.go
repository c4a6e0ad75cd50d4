package pullmanager

import (
	"fmt"
	"strings"
	"sync"

	distref "github.com/distribution/reference"
)

// RecordKey returns the key under which a pulled record's CredentialMapping files the pod's
// image string, and against which the allowlist of [NeverVerifyAllowlistedImages] is matched:
// the image string as written, with its "@digest" and then its ":tag" cut off, not normalised.
// So "busybox:1.36" is keyed "busybox", "docker.io/library/busybox:1.36" is keyed
// "docker.io/library/busybox" (another key), and "library/busybox@sha256:…" is keyed
// "library/busybox".
//
// This is the kubelet's trimImageTagDigest (pkg/kubelet/images/pullmanager/
// image_pull_policies.go:182 in v1.36.3 and v1.37.2), called when a record is written
// (image_pull_manager.go:121), when a present image is checked (:254) and for the allowlist
// (image_pull_policies.go:113, :166). The string is parsed with distribution/reference.Parse,
// without normalisation; an unparsable string gives that parser's error, for example
// "invalid reference format".
func RecordKey(image string) (string, error) {
	parsed, err := distref.Parse(image)
	if err != nil {
		return "", err
	}
	var tag, dgst string
	if t, ok := parsed.(distref.Tagged); ok {
		tag = t.Tag()
	}
	if d, ok := parsed.(distref.Digested); ok {
		dgst = d.Digest().String()
	}
	key := image
	if dgst != "" {
		var found bool
		if key, found = strings.CutSuffix(key, "@"+dgst); !found {
			return "", fmt.Errorf("digest was not specified last, this does not appear to be a valid image spec: %q", key)
		}
	}
	if tag != "" {
		var found bool
		if key, found = strings.CutSuffix(key, ":"+tag); !found {
			return "", fmt.Errorf("tag %q was not specified last (or before the digest), this does not appear to be a valid image spec: %q", tag, key)
		}
	}
	return key, nil
}

// maxCachedKeys bounds a [keyCache]; past it the cache starts again empty. A node sees a few
// hundred image strings; a flood of distinct ones costs a parse each, never memory.
const maxCachedKeys = 4096

// keyCache remembers [RecordKey] by image string, so that the checks of a present image,
// which run on every container start, parse each string once. Failures are not kept. It is
// safe for concurrent use.
type keyCache struct {
	mu   sync.RWMutex
	keys map[string]string // protected by mu
}

// key is RecordKey(image), from the cache when it can.
func (c *keyCache) key(image string) (string, error) {
	c.mu.RLock()
	k, ok := c.keys[image]
	c.mu.RUnlock()
	if ok {
		return k, nil
	}
	k, err := RecordKey(image)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxCachedKeys {
		c.keys = make(map[string]string)
	}
	c.keys[image] = k
	c.mu.Unlock()
	return k, nil
}
