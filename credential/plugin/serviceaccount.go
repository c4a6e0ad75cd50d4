package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// ServiceAccountTokens is what a plugin in service-account mode (KEP-4412) needs from the API
// server: implement it with client-go (CoreV1().ServiceAccounts(ns).Get and CreateToken) the
// way the kubelet uses its own client and token manager. Implementations must be safe for
// concurrent use. The kubelet's token manager caches tokens until most of their lifetime is
// gone; an implementation should cache too, since it is asked for a token every time a
// matching image's credentials are looked up, before the credential cache is consulted.
type ServiceAccountTokens interface {
	// ServiceAccount returns the UID and annotations of a service account.
	ServiceAccount(ctx context.Context, namespace, name string) (ServiceAccount, error)
	// Token returns a token of the service account for the audience, bound to the pod (a
	// TokenRequest with the service account's UID as a precondition, the audience, and a
	// bound object reference to the pod; the expiration is the API server's default).
	Token(ctx context.Context, req TokenRequest) (string, error)
}

// ServiceAccount is what a plugin gets to know of a service account.
type ServiceAccount struct {
	UID         string
	Annotations map[string]string
}

// TokenRequest asks for a service account token bound to a pod.
type TokenRequest struct {
	Namespace          string
	ServiceAccountName string
	ServiceAccountUID  string
	Audience           string
	PodName            string
	PodUID             string
}

// errMissingAnnotation reports a required annotation absent from the service account: the
// plugin is not run, and nothing is logged above debug level.
type errMissingAnnotation string

func (e errMissingAnnotation) Error() string {
	return "required annotation " + string(e) + " not found"
}

// serviceAccountMode is a provider's tokenAttributes, ready to use.
type serviceAccountMode struct {
	audience  string
	require   bool
	required  []string
	optional  []string
	cacheType CacheType
	tokens    ServiceAccountTokens
}

// serviceAccountCall is what service-account mode adds to one lookup.
type serviceAccountCall struct {
	uid         string
	token       string
	annotations map[string]string
	cacheKey    string // the service-account part of the cache key
	flightKey   string // image, token hash and annotations: who may share a plugin run
}

// prepare reads the service account and gets a token, as the kubelet does before it looks in
// its cache. A missing required annotation is an errMissingAnnotation.
func (m *serviceAccountMode) prepare(ctx context.Context, image, namespace, podName, podUID, name string) (*serviceAccountCall, error) {
	sa, err := m.tokens.ServiceAccount(ctx, namespace, name)
	if err != nil {
		return nil, fmt.Errorf("failed to get service account %s/%s: %w", namespace, name, err)
	}
	annotations := make(map[string]string, len(m.required)+len(m.optional))
	for _, k := range m.required {
		v, ok := sa.Annotations[k]
		if !ok {
			return nil, errMissingAnnotation(k)
		}
		annotations[k] = v
	}
	for _, k := range m.optional {
		if v, ok := sa.Annotations[k]; ok {
			annotations[k] = v
		}
	}
	token, err := m.tokens.Token(ctx, TokenRequest{
		Namespace: namespace, ServiceAccountName: name, ServiceAccountUID: sa.UID,
		Audience: m.audience, PodName: podName, PodUID: podUID,
	})
	if err != nil {
		return nil, fmt.Errorf("error getting service account token %s/%s: %w", namespace, name, err)
	}
	if token == "" {
		return nil, errors.New("error getting service account token " + namespace + "/" + name + ": empty token")
	}
	sum := sha256.Sum256([]byte(token))
	tokenHash := "sha256:" + hex.EncodeToString(sum[:])
	c := &serviceAccountCall{uid: sa.UID, token: token, annotations: annotations}
	k := keyBuilder{}.add(namespace).add(name).add(sa.UID).addMap(annotations)
	if m.cacheType == CacheTypeToken {
		k = k.add("token").add(tokenHash)
	}
	c.cacheKey = string(k)
	c.flightKey = string(keyBuilder{}.add(image).add(tokenHash).addMap(annotations))
	return c, nil
}

// keyBuilder builds an unambiguous key from strings: each is length-prefixed.
type keyBuilder []byte

func (k keyBuilder) add(s string) keyBuilder {
	k = strconv.AppendInt(k, int64(len(s)), 10)
	k = append(k, ':')
	return append(k, s...)
}

func (k keyBuilder) addMap(m map[string]string) keyBuilder {
	k = k.add(strconv.Itoa(len(m)))
	for _, key := range slices.Sorted(maps.Keys(m)) {
		k = k.add(key).add(m[key])
	}
	return k
}
