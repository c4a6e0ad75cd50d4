package registry

import (
	"net/http"
	"strings"
	"sync"

	"github.com/imagepull/imagepull/internal/redact"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// challengeWatch watches the requests of one manifest fetch: it notes the credentials sent
// (every Authorization header, to the registry and its token service), so that a registry that
// echoes them in an error is masked ([Resolver.fetch]), and it makes sure a 401 whose Bearer
// challenge cannot be followed (an empty or unparsable realm, a realm that is not http or
// https, a realm oras refuses for safety) is reported as the 401 it is, [ErrUnauthorized],
// and not as an unclassified failure: oras fails such a fetch before any token request is
// sent, and its error says nothing of the 401.
type challengeWatch struct {
	base http.RoundTripper
	cred auth.Credential // the fetch's credential; never modified

	mu        sync.Mutex // protects the fields below
	bearer401 string     // the WWW-Authenticate of the last 401 with a Bearer challenge
	tokenSent bool       // a request other than a manifest request (a token request) could be sent
	sent      redact.Set // the credentials of every Authorization header sent
}

// RoundTrip sends req through base and notes what it says about the authentication flow.
func (w *challengeWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	manifest := strings.Contains(req.URL.Path, "/manifests/")
	if !manifest && req.URL.Host != "" && (req.URL.Scheme == "http" || req.URL.Scheme == "https") {
		w.mu.Lock()
		w.tokenSent = true
		w.mu.Unlock()
	}
	if h := req.Header.Get("Authorization"); h != "" {
		w.mu.Lock()
		w.sent.AddAuthorization(h)
		w.mu.Unlock()
	}
	resp, err := w.base.RoundTrip(req)
	if err == nil && manifest && resp.StatusCode == http.StatusUnauthorized {
		challenge := resp.Header.Get("Www-Authenticate")
		if scheme, _, _ := strings.Cut(challenge, " "); strings.EqualFold(scheme, auth.SchemeBearer.String()) {
			w.mu.Lock()
			w.bearer401, w.tokenSent = challenge, false
			w.mu.Unlock()
		}
	}
	return resp, err
}

// unusableChallenge returns the Bearer challenge of a 401 that was never followed by a token
// request, or "" and false.
func (w *challengeWatch) unusableChallenge() (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bearer401, w.bearer401 != "" && !w.tokenSent
}

// secrets returns the values to mask in the registry-supplied text of an error of the watched
// fetch: the password, the tokens and the base64 "user:password" of its credential, and the
// credential part of every Authorization header sent (to the registry and its token service,
// tokens it was given included). A registry or token service that echoes them in an error
// would otherwise put them in events, messages, logs and CLI output.
func (w *challengeWatch) secrets() *redact.Set {
	var set redact.Set
	w.mu.Lock()
	set.Merge(&w.sent)
	w.mu.Unlock()
	set.AddBasic(w.cred.Username, w.cred.Password)
	set.Add(w.cred.RefreshToken)
	set.Add(w.cred.AccessToken)
	return &set
}
