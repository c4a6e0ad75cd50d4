package plugin

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/imagepull/imagepull/credential"
)

// provider is one configured plugin: its patterns, runner, cache and service-account mode.
type provider struct {
	name       string
	match      []credential.Pattern
	run        *runner
	defaultTTL time.Duration
	sa         *serviceAccountMode // nil outside service-account mode
	cache      *credentialCache
	now        func() time.Time
	group      singleflight.Group
}

// answer is what one provider contributes to a lookup: docker config entries, all with the same
// source, and the keyring they make on their own. An answer is immutable once built, so that
// a cached one is shared by every lookup it serves.
type answer struct {
	entries []credential.Entry
	ring    *credential.Keyring
}

// newAnswer builds the answer of a response whose credentials come from source.
func newAnswer(auth map[string]authConfig, source credential.Source) *answer {
	a := &answer{entries: make([]credential.Entry, 0, len(auth))}
	for _, loc := range slices.Sorted(maps.Keys(auth)) {
		c := auth[loc]
		a.entries = append(a.entries, credential.Entry{Location: loc,
			Credential: credential.Credential{Username: c.Username, Password: c.Password, Source: source}})
	}
	a.ring = credential.NewKeyring(a.entries)
	return a
}

// errSkipped marks a lookup for which the kubelet would not run the plugin and logs at most at
// debug level: a pod without the service account the plugin requires, or a service account
// without a required annotation.
type errSkipped struct{ reason string }

func (e errSkipped) Error() string { return e.reason }

// matches reports whether image is one of the provider's matchImages.
func (p *provider) matches(image string) bool {
	for _, m := range p.match {
		if m.Match(image) {
			return true
		}
	}
	return false
}

// provide returns the provider's answer for image and pod, from the cache or by running the
// plugin, as the kubelet's pluginProvider.provide does. The caller has checked that image
// matches. A plugin run is shared by concurrent lookups of the same image (and, in
// service-account mode, the same token and annotations); it runs detached from ctx, so that a
// caller giving up neither kills it nor fails the others, and its answer is cached for them.
func (p *provider) provide(ctx context.Context, image string, pod credential.Pod) (*answer, error) {
	var sa *serviceAccountCall
	var source credential.Source
	if p.sa != nil {
		switch {
		case pod.ServiceAccount == "" && p.sa.require:
			return nil, errSkipped{fmt.Sprintf("service account name is empty for pod %s/%s", pod.Namespace, pod.Name)}
		case pod.ServiceAccount != "":
			var err error
			sa, err = p.sa.prepare(ctx, image, pod.Namespace, pod.Name, pod.UID, pod.ServiceAccount)
			var missing errMissingAnnotation
			switch {
			case errors.As(err, &missing):
				return nil, errSkipped{fmt.Sprintf("failed to get service account data %s/%s: %v", pod.Namespace, pod.ServiceAccount, err)}
			case err != nil && ctx.Err() != nil:
				return nil, ctx.Err()
			case err != nil:
				return nil, providerError(p.name, ErrServiceAccount, err)
			}
			source = credential.Source{Kind: credential.SourceServiceAccount, Namespace: pod.Namespace, Name: pod.ServiceAccount, UID: sa.uid}
		}
	}
	saKey, flightKey := "", image
	if sa != nil {
		saKey, flightKey = sa.cacheKey, sa.flightKey
	}
	if a, ok := p.cache.get(image, saKey); ok {
		return a, nil
	}
	ch := p.group.DoChan(flightKey, func() (any, error) {
		return p.fetch(context.WithoutCancel(ctx), image, sa, saKey, source)
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*answer), nil
	}
}

// fetch runs the plugin, checks its answer and caches it as the kubelet does. The cache key
// determines source (the service account, or none), so the answer is built with it once.
func (p *provider) fetch(ctx context.Context, image string, sa *serviceAccountCall, saKey string, source credential.Source) (*answer, error) {
	var token string
	var annotations map[string]string
	if sa != nil {
		token, annotations = sa.token, sa.annotations
	}
	resp, err := p.run.run(ctx, image, token, annotations)
	if err != nil {
		return nil, err
	}
	if token != "" && p.sa.cacheType != CacheTypeToken {
		for _, a := range resp.Auth {
			if a.Password == token {
				return nil, providerError(p.name, ErrInvalidResponse, fmt.Errorf(
					"credential provider plugin returned the service account token as the password for image %q, which is not allowed when service account cache type is not set to 'Token'", image))
			}
		}
	}
	var base string
	switch resp.CacheKeyType {
	case cacheKeyImage:
		base = image
	case cacheKeyRegistry:
		base = registryOf(image)
	case cacheKeyGlobal:
		base = globalCacheKey
	default:
		return nil, providerError(p.name, ErrInvalidResponse, fmt.Errorf(
			"credential provider plugin did not return a valid cacheKeyType: %s", resp.CacheKeyType))
	}
	a := newAnswer(resp.Auth, source)
	ttl := p.defaultTTL
	if resp.CacheDuration != nil {
		ttl = resp.CacheDuration.Duration
	}
	// A zero duration means "do not cache"; a negative one, as in the kubelet, gives an entry
	// that is already expired, so it is not stored at all.
	if ttl > 0 {
		p.cache.put(cacheKey{base, saKey}, a, p.now().Add(ttl))
	}
	return a, nil
}
