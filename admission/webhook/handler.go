package webhook

import (
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
)

// Handler is the webhook's http.Handler: /mutate, /validate, /healthz and /readyz. It is safe for
// concurrent use and holds no state across reviews.
type Handler struct {
	dryRun     bool
	maxBytes   int64
	namespaces []string
	selector   labels.Selector
	log        *slog.Logger
	mux        *http.ServeMux
	// shuttingDown makes /readyz fail once the server begins to shut down.
	shuttingDown atomic.Bool
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

// serveReview reads one AdmissionReview, decides, answers and logs the decision.
func (h *Handler) serveReview(w http.ResponseWriter, r *http.Request, ep endpoint) {
	start := time.Now()
	review, code, err := h.readReview(w, r)
	if err != nil {
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "admission review rejected",
			slog.String("endpoint", ep.String()), slog.String("decision", "error"),
			slog.Int("http_status", code), slog.String("error", err.Error()),
			slog.String("remote", r.RemoteAddr), slog.Duration("duration", time.Since(start)))
		writeText(w, code, err.Error())
		return
	}
	out := h.decide(ep, review.Request)
	body, err := json.Marshal(admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: out.response})
	if err != nil { // an AdmissionReview of our own making always marshals
		writeText(w, http.StatusInternalServerError, err.Error())
		return
	}
	h.logDecision(r, ep, review.Request, out, time.Since(start))
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// readReview reads and checks the body; on failure it returns the HTTP status to answer.
func (h *Handler) readReview(w http.ResponseWriter, r *http.Request) (*admissionv1.AdmissionReview, int, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, http.StatusUnsupportedMediaType, fmt.Errorf("content type %q is not application/json", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("AdmissionReview larger than %d bytes", h.maxBytes)
		}
		return nil, http.StatusBadRequest, fmt.Errorf("reading the AdmissionReview: %w", err)
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &review); err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("malformed AdmissionReview: %w", err)
	}
	switch {
	case review.APIVersion != admissionv1.SchemeGroupVersion.String() || review.Kind != "AdmissionReview":
		return nil, http.StatusBadRequest, fmt.Errorf("expected an AdmissionReview of %s, got kind %q of %q",
			admissionv1.SchemeGroupVersion, review.Kind, review.APIVersion)
	case review.Request == nil:
		return nil, http.StatusBadRequest, errors.New("AdmissionReview has no request")
	case review.Request.UID == "":
		return nil, http.StatusBadRequest, errors.New("AdmissionReview request has no uid")
	}
	return &review, http.StatusOK, nil
}

// logDecision writes the one line a review gets.
func (h *Handler) logDecision(r *http.Request, ep endpoint, req *admissionv1.AdmissionRequest, out outcome, d time.Duration) {
	attrs := []slog.Attr{
		slog.String("endpoint", ep.String()),
		slog.String("uid", string(req.UID)),
		slog.String("operation", string(req.Operation)),
		slog.String("resource", req.Resource.Resource),
		slog.String("subresource", req.SubResource),
		slog.String("namespace", req.Namespace),
		slog.String("name", out.name),
		slog.String("user", req.UserInfo.Username),
		slog.String("decision", out.decision),
	}
	if out.reason != "" {
		attrs = append(attrs, slog.String("reason", out.reason))
	}
	if len(out.fields) > 0 {
		attrs = append(attrs, slog.Any("fields", out.fields))
	}
	attrs = append(attrs, slog.Bool("dry_run", h.dryRun), slog.Duration("duration", d))
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "admission decision", attrs...)
}

// writeText answers with a short plain-text body.
func writeText(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg+"\n")
}
