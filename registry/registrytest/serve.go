package registrytest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// serveRegistry answers a request on the registry host: record, authenticate (except the
// token endpoint), apply a fault, then serve content or a token.
func (r *Registry) serveRegistry(w http.ResponseWriter, req *http.Request) {
	r.record(r.host, req)
	if req.URL.Path == tokenPath {
		r.serveFaulty(w, req, http.HandlerFunc(r.serveToken))
		return
	}
	if !r.authorize(w, req) {
		return
	}
	r.serveFaulty(w, req, r.content)
}

// serveOther answers a request on the other host: record, then serve the token endpoint or
// content, never authenticated or faulty.
func (r *Registry) serveOther(w http.ResponseWriter, req *http.Request) {
	r.record(r.other, req)
	if req.URL.Path == tokenPath {
		r.serveToken(w, req)
		return
	}
	r.content.ServeHTTP(w, req)
}

// writeError answers with status and an OCI error body {"errors":[{"code":…,"message":…}]}.
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	type ociError struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	body := struct {
		Errors []ociError `json:"errors"`
	}{[]ociError{{code, message}}}
	_ = json.NewEncoder(w).Encode(body) // the client may be gone; nothing to do about it
}

// errorCode returns the OCI error code for an injected status.
func errorCode(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "UNAUTHORIZED"
	case http.StatusForbidden:
		return "DENIED"
	case http.StatusNotFound:
		return "MANIFEST_UNKNOWN"
	case http.StatusMethodNotAllowed:
		return "UNSUPPORTED"
	case http.StatusTooManyRequests:
		return "TOOMANYREQUESTS"
	default:
		return "UNAVAILABLE"
	}
}

// repository returns the repository named by a /v2/<name>/(manifests|blobs|tags|referrers)/…
// path, or "" for /v2/, /v2/_catalog and other paths.
func repository(path string) string {
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return ""
	}
	for _, sep := range []string{"/manifests/", "/blobs/", "/tags/", "/referrers/"} {
		if i := strings.LastIndex(rest, sep); i > 0 {
			return rest[:i]
		}
	}
	return ""
}
