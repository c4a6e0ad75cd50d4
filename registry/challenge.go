package registry

import (
	"net/http"
	"strings"
	"sync"

	"oras.land/oras-go/v2/registry/remote/auth"
)

// challengeWatch watches the requests of one manifest fetch, so that a 401 whose Bearer
// challenge cannot be followed (an empty or unparsable realm, a realm that is not http or
// https, a realm oras refuses for safety) is reported as the 401 it is, [ErrUnauthorized],
// and not as an unclassified failure: oras fails such a fetch before any token request is
// sent, and its error says nothing of the 401.
type challengeWatch struct {
	base http.RoundTripper

	mu        sync.Mutex // protects the fields below
	bearer401 string     // the WWW-Authenticate of the last 401 with a Bearer challenge
	tokenSent bool       // a request other than a manifest request (a token request) could be sent
}

// RoundTrip sends req through base and notes what it says about the authentication flow.
func (w *challengeWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	manifest := strings.Contains(req.URL.Path, "/manifests/")
	if !manifest && req.URL.Host != "" && (req.URL.Scheme == "http" || req.URL.Scheme == "https") {
		w.mu.Lock()
		w.tokenSent = true
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
