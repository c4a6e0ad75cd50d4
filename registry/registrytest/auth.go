package registrytest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// tokenPath is the token endpoint's path on both listeners.
const tokenPath = "/token"

// DefaultService is the service name in Bearer challenges when [Auth.Service] is empty.
const DefaultService = "registrytest"

// AuthScheme selects how the registry host authenticates /v2/ requests.
type AuthScheme int

const (
	// AuthNone, the zero value, serves every request without credentials.
	AuthNone AuthScheme = iota
	// AuthBasic requires "Authorization: Basic" with [Auth.Username] and [Auth.Password] and
	// challenges with `WWW-Authenticate: Basic realm="registrytest"`.
	AuthBasic
	// AuthBearer challenges with `WWW-Authenticate: Bearer realm="http://HOST/token",
	// service="registrytest",scope="repository:REPO:pull"` and accepts tokens issued by the
	// token endpoint at /token.
	AuthBearer
)

// Auth is the registry host's authentication setting. The zero value disables authentication.
//
// With [AuthBearer] the token endpoint (GET /token?service=…&scope=…, or POST with a form of
// grant_type=password, username, password, service and scope, as OAuth2 clients send) checks
// Basic credentials against Username and Password and returns {"token":…,"access_token":…}.
// Valid credentials get every requested action; a request without credentials gets "pull"
// only, and only when Anonymous is true. Wrong credentials get 401 with an OCI error body
// whose code is UNAUTHORIZED. The registry accepts a token for a repository when it was
// issued with that repository's "pull" (GET, HEAD) or "push" (other methods) action, and
// answers 401 with a challenge naming the needed scope otherwise.
type Auth struct {
	Scheme   AuthScheme
	Username string
	Password string
	// Anonymous lets the token endpoint issue pull tokens to requests without credentials.
	Anonymous bool
	// Service is the service in Bearer challenges; "" means [DefaultService].
	Service string
	// TokenOnOtherHost puts the token endpoint's realm on [Registry.OtherHost], another host,
	// so tests can check that credentials for the token service are not sent to the registry
	// and the other way round. The token endpoint answers on both hosts either way.
	TokenOnOtherHost bool
	// PathPrefix limits authentication to requests whose path starts with it, e.g.
	// "/v2/private/"; "" means every request under /v2/.
	PathPrefix string
}

// grant is what one issued token allows: "repo:action" entries.
type grant []string

// SetAuth changes the authentication of the registry host for the requests that follow. Tokens
// issued before stay valid.
func (r *Registry) SetAuth(a Auth) {
	r.mu.Lock()
	r.auth = a
	r.mu.Unlock()
}

func (r *Registry) currentAuth() Auth {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.auth
}

// authorize checks req against the current Auth and answers 401 itself when it fails.
func (r *Registry) authorize(w http.ResponseWriter, req *http.Request) bool {
	a := r.currentAuth()
	prefix := a.PathPrefix
	if prefix == "" {
		prefix = "/v2/"
	}
	if a.Scheme == AuthNone || !strings.HasPrefix(req.URL.Path, prefix) {
		return true
	}
	if a.Scheme == AuthBasic {
		return r.authorizeBasic(w, req, a)
	}
	return r.authorizeBearer(w, req, a)
}

func (r *Registry) authorizeBasic(w http.ResponseWriter, req *http.Request, a Auth) bool {
	user, pass, ok := req.BasicAuth()
	if ok && a.credentialsMatch(user, pass) {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="registrytest"`)
	writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
	return false
}

func (r *Registry) authorizeBearer(w http.ResponseWriter, req *http.Request, a Auth) bool {
	repo := repository(req.URL.Path)
	action := "push"
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		action = "pull"
	}
	token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if ok && r.tokenAllows(token, repo, action) {
		return true
	}
	challenge := fmt.Sprintf(`Bearer realm="%s",service="%s"`, r.realm(a), a.service())
	if repo != "" {
		challenge += fmt.Sprintf(`,scope="repository:%s:%s"`, repo, action)
	}
	if ok {
		challenge += `,error="insufficient_scope"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
	return false
}

// tokenAllows reports whether token was issued and allows action on repo; every issued
// token allows requests that name no repository, such as GET /v2/.
func (r *Registry) tokenAllows(token, repo, action string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	g, ok := r.tokens[token]
	if !ok {
		return false
	}
	return repo == "" || slices.Contains(g, repo+":"+action)
}

func (r *Registry) realm(a Auth) string {
	if a.TokenOnOtherHost {
		return r.OtherURL() + tokenPath
	}
	return r.URL() + tokenPath
}

func (a Auth) service() string {
	if a.Service == "" {
		return DefaultService
	}
	return a.Service
}

func (a Auth) credentialsMatch(user, pass string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(a.Username))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(a.Password))
	return u&p == 1
}

// serveToken is the token endpoint of the Bearer flow.
func (r *Registry) serveToken(w http.ResponseWriter, req *http.Request) {
	a := r.currentAuth()
	user, pass, hasCreds := req.BasicAuth()
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "token endpoint takes GET or POST")
		return
	}
	if err := req.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "UNSUPPORTED", "bad token request form")
		return
	}
	if req.PostForm.Get("grant_type") == "password" {
		user, pass, hasCreds = req.PostForm.Get("username"), req.PostForm.Get("password"), true
	}
	switch {
	case hasCreds && !a.credentialsMatch(user, pass):
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid username or password")
		return
	case !hasCreds && !a.Anonymous:
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "credentials required")
		return
	}
	token := rand.Text()
	r.mu.Lock()
	r.tokens[token] = grantFor(req.Form["scope"], hasCreds)
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{ // the client may be gone; nothing to do
		"token":        token,
		"access_token": token,
		"expires_in":   300,
	})
}

// grantFor turns requested scopes ("repository:app:pull,push", possibly space-separated)
// into a grant: every action for authenticated clients, "pull" only for anonymous ones.
func grantFor(scopes []string, authenticated bool) grant {
	var g grant
	for _, s := range strings.Fields(strings.Join(scopes, " ")) {
		parts := strings.Split(s, ":")
		if len(parts) != 3 || parts[0] != "repository" {
			continue
		}
		for _, action := range strings.Split(parts[2], ",") {
			if authenticated || action == "pull" {
				g = append(g, parts[1]+":"+action)
			}
		}
	}
	return g
}
