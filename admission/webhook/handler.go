package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"slices"
	"sync/atomic"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/imagepull/imagepull/internal/clip"
)

// Handler is the webhook's http.Handler: /mutate, /validate, /healthz and /readyz. It is safe for
// concurrent use and holds no state across reviews.
type Handler struct {
	dryRun     bool
	maxBytes   int64
	inflight   *budget
	namespaces []string
	selector   labels.Selector
	log        *slog.Logger
	mux        *http.ServeMux
	// shuttingDown makes /readyz fail once the server begins to shut down.
	shuttingDown atomic.Bool
	// slowOnly turns the fast decoding path off, for the tests that compare it with
	// encoding/json's.
	slowOnly bool
}

// NewHandler returns the handler for cfg; only the fields about reviews matter (exclusions,
// dry run, size limit, logger). It fails on an invalid exclusion selector or limit.
func NewHandler(cfg Config) (*Handler, error) {
	cfg.applyDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	sel, err := cfg.selector()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		dryRun:     cfg.DryRun,
		maxBytes:   cfg.MaxRequestBytes,
		inflight:   newBudget(cfg.MaxInflightBytes),
		namespaces: slices.Clone(cfg.ExcludeNamespaces),
		selector:   sel,
		log:        cfg.Logger,
		mux:        http.NewServeMux(),
	}
	if h.log == nil {
		h.log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	h.mux.HandleFunc("POST /mutate", func(w http.ResponseWriter, r *http.Request) { h.serveReview(w, r, mutate) })
	h.mux.HandleFunc("POST /validate", func(w http.ResponseWriter, r *http.Request) { h.serveReview(w, r, validate) })
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok") })
	h.mux.HandleFunc("GET /readyz", h.serveReady)
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// serveReady answers 200 until shutdown begins, then 503 so that the Service stops sending
// reviews to this replica.
func (h *Handler) serveReady(w http.ResponseWriter, _ *http.Request) {
	if h.shuttingDown.Load() {
		writeText(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	writeText(w, http.StatusOK, "ok")
}

// serveReview reads one AdmissionReview, decides, answers and logs the decision. It first
// takes the review's bytes from the in-flight budget, answering 429 when they do not fit, and
// gives up (503) once the request's context ends: the API server or the client has gone.
func (h *Handler) serveReview(w http.ResponseWriter, r *http.Request, ep endpoint) {
	start := time.Now()
	ctx := r.Context()
	cost := r.ContentLength
	if cost < 0 || cost > h.maxBytes { // unknown length, or too large anyway: the most it may read
		cost = h.maxBytes
	}
	if !h.inflight.take(cost) {
		h.refuse(w, r, ep, start, http.StatusTooManyRequests, tooManyMessage)
		return
	}
	defer h.inflight.give(cost)
	review, pods, code, err := h.readReview(w, r)
	if err != nil {
		h.refuse(w, r, ep, start, code, err.Error())
		return
	}
	out, err := h.decide(ctx, ep, review.Request, pods)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil { // the request's context ended: nobody waits for the answer
		h.log.LogAttrs(ctx, slog.LevelWarn, "admission review abandoned",
			slog.String("endpoint", ep.String()), slog.String("uid", clip.String(string(review.Request.UID), maxLogValue)),
			slog.String("decision", "abandoned"), slog.String("error", context.Cause(ctx).Error()),
			slog.Duration("duration", time.Since(start)))
		writeText(w, http.StatusServiceUnavailable, "request context ended")
		return
	}
	body, err := json.Marshal(admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: out.response})
	if err != nil { // an AdmissionReview of our own making always marshals
		writeText(w, http.StatusInternalServerError, err.Error())
		return
	}
	h.logDecision(r, ep, review.Request, out, time.Since(start))
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// tooManyMessage is the body of a 429 answer.
const tooManyMessage = "too many AdmissionReview bytes in flight; retry"

// refuse answers a review that was not decided with code and msg, and logs it. A 429 carries
// Retry-After: the API server does not retry a webhook call, but other clients may.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, ep endpoint, start time.Time, code int, msg string) {
	msg = clip.String(msg, maxLogValue)
	h.log.LogAttrs(r.Context(), slog.LevelWarn, "admission review rejected",
		slog.String("endpoint", ep.String()), slog.String("decision", "error"),
		slog.Int("http_status", code), slog.String("error", msg),
		slog.String("remote", clip.String(r.RemoteAddr, maxLogValue)), slog.Duration("duration", time.Since(start)))
	if code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	writeText(w, code, msg)
}

// readReview reads and checks the body; on failure it returns the HTTP status to answer. A review
// in the form the API server sends is decoded by [fastReview], which also gives the request's
// object and old object as decoded pods where it could; any other goes through encoding/json.
func (h *Handler) readReview(w http.ResponseWriter, r *http.Request) (*admissionv1.AdmissionReview, [2]*slimPod, int, error) {
	var pods [2]*slimPod
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, pods, http.StatusUnsupportedMediaType, fmt.Errorf("content type %q is not application/json", ct)
		}
	}
	if r.ContentLength > h.maxBytes {
		return nil, pods, http.StatusRequestEntityTooLarge, fmt.Errorf("AdmissionReview larger than %d bytes", h.maxBytes)
	}
	body, err := readBody(http.MaxBytesReader(w, r.Body, h.maxBytes), r.ContentLength)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, pods, http.StatusRequestEntityTooLarge, fmt.Errorf("AdmissionReview larger than %d bytes", h.maxBytes)
		}
		return nil, pods, http.StatusBadRequest, fmt.Errorf("reading the AdmissionReview: %w", err)
	}
	var review *admissionv1.AdmissionReview
	ok := false
	if !h.slowOnly {
		review, pods, ok = fastReview(body)
	}
	if !ok {
		review = &admissionv1.AdmissionReview{}
		if err := json.Unmarshal(body, review); err != nil {
			return nil, pods, http.StatusBadRequest, fmt.Errorf("malformed AdmissionReview: %w", err)
		}
	}
	switch {
	case review.APIVersion != admissionv1.SchemeGroupVersion.String() || review.Kind != "AdmissionReview":
		return nil, pods, http.StatusBadRequest, fmt.Errorf("expected an AdmissionReview of %s, got kind %q of %q",
			admissionv1.SchemeGroupVersion, review.Kind, review.APIVersion)
	case review.Request == nil:
		return nil, pods, http.StatusBadRequest, errors.New("AdmissionReview has no request")
	case review.Request.UID == "":
		return nil, pods, http.StatusBadRequest, errors.New("AdmissionReview request has no uid")
	}
	return review, pods, http.StatusOK, nil
}

// maxLogValue bounds each string logged from a review (a name, a user, a uid, an error): far
// above any valid one (a pod name has at most 253 bytes), so only hostile values are cut.
const maxLogValue = clip.MaxField

// maxLogReason bounds the reason logged, which may hold the denial's message.
const maxLogReason = 4 << 10

// logDecision writes the one line a review gets. Every value is bounded: strings by
// [maxLogValue] (the reason by [maxLogReason]), fields by admission.MaxNamedFields with the
// number of the others in fields_more, so a hostile review writes a line of a few kilobytes.
func (h *Handler) logDecision(r *http.Request, ep endpoint, req *admissionv1.AdmissionRequest, out outcome, d time.Duration) {
	attrs := []slog.Attr{
		slog.String("endpoint", ep.String()),
		slog.String("uid", clip.String(string(req.UID), maxLogValue)),
		slog.String("operation", clip.String(string(req.Operation), maxLogValue)),
		slog.String("resource", clip.String(req.Resource.Resource, maxLogValue)),
		slog.String("subresource", clip.String(req.SubResource, maxLogValue)),
		slog.String("namespace", clip.String(req.Namespace, maxLogValue)),
		slog.String("name", clip.String(out.name, maxLogValue)),
		slog.String("user", clip.String(req.UserInfo.Username, maxLogValue)),
		slog.String("decision", out.decision),
	}
	if out.reason != "" {
		attrs = append(attrs, slog.String("reason", clip.String(out.reason, maxLogReason)))
	}
	if len(out.fields) > 0 {
		attrs = append(attrs, slog.Any("fields", out.fields))
	}
	if out.fieldsMore > 0 {
		attrs = append(attrs, slog.Int("fields_more", out.fieldsMore))
	}
	attrs = append(attrs, slog.Bool("dry_run", h.dryRun), slog.Duration("duration", d))
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "admission decision", attrs...)
}

// readBody reads r whole. With a declared length (which net/http enforces on a server's
// request body) it reads into one buffer of that size rather than growing one by doubling.
func readBody(r io.Reader, length int64) ([]byte, error) {
	if length <= 0 {
		return io.ReadAll(r)
	}
	buf := make([]byte, length)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	rest, err := io.ReadAll(r) // nothing, unless the reader holds more than declared
	return append(buf, rest...), err
}

// writeText answers with a short plain-text body.
func writeText(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg+"\n")
}
