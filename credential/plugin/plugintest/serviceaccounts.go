package plugintest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/imagepull/imagepull/credential/plugin"
)

// ServiceAccounts is an in-memory API server for service accounts and their tokens. Its tokens
// are deterministic: the same service account, audience and pod always get the same token, as
// from the kubelet's token manager within a token's lifetime; [ServiceAccounts.Rotate] changes
// them. It records every token request. It is safe for concurrent use; the zero value is
// empty and ready.
type ServiceAccounts struct {
	mu       sync.Mutex // protects the fields below
	accounts map[string]plugin.ServiceAccount
	requests []plugin.TokenRequest
	rotation int
	fail     error
}

var _ plugin.ServiceAccountTokens = (*ServiceAccounts)(nil)

// Add creates or replaces the service account namespace/name.
func (s *ServiceAccounts) Add(namespace, name string, sa plugin.ServiceAccount) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts == nil {
		s.accounts = make(map[string]plugin.ServiceAccount)
	}
	sa.Annotations = maps.Clone(sa.Annotations)
	s.accounts[namespace+"/"+name] = sa
}

// Fail makes every later call fail with err, as an unreachable API server would; nil heals.
func (s *ServiceAccounts) Fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// Rotate changes every token handed out from now on, as token expiry would.
func (s *ServiceAccounts) Rotate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotation++
}

// ServiceAccount returns the service account, or an error saying it is not found.
func (s *ServiceAccounts) ServiceAccount(_ context.Context, namespace, name string) (plugin.ServiceAccount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return plugin.ServiceAccount{}, s.fail
	}
	sa, ok := s.accounts[namespace+"/"+name]
	if !ok {
		return plugin.ServiceAccount{}, fmt.Errorf("serviceaccounts %q not found", name)
	}
	sa.Annotations = maps.Clone(sa.Annotations)
	return sa, nil
}

// Token returns "token:<namespace>/<name>:<uid>:<audience>:<pod uid>:<rotation>" after checking,
// as the API server does, that the service account exists and has the UID asked for.
func (s *ServiceAccounts) Token(_ context.Context, req plugin.TokenRequest) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return "", s.fail
	}
	s.requests = append(s.requests, req)
	sa, ok := s.accounts[req.Namespace+"/"+req.ServiceAccountName]
	if !ok {
		return "", fmt.Errorf("serviceaccounts %q not found", req.ServiceAccountName)
	}
	if req.ServiceAccountUID != "" && req.ServiceAccountUID != sa.UID {
		return "", fmt.Errorf("the UID in the precondition (%s) does not match the UID in record (%s)", req.ServiceAccountUID, sa.UID)
	}
	return fmt.Sprintf("token:%s/%s:%s:%s:%s:%d", req.Namespace, req.ServiceAccountName, sa.UID, req.Audience, req.PodUID, s.rotation), nil
}

// TokenRequests returns the token requests received so far, in order.
func (s *ServiceAccounts) TokenRequests() []plugin.TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}
