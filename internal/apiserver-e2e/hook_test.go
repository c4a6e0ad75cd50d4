package apiservere2e

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/admission/webhook"
	"github.com/imagepull/imagepull/internal/apiserver-e2e/controlplane"
	"github.com/imagepull/imagepull/internal/logbuf"
	"github.com/imagepull/imagepull/internal/tlstest"
)

// Names of the webhooks registered by the tests, as the API server quotes them in errors.
const (
	mutateName   = "mutate.imagepull.test"
	validateName = "validate.imagepull.test"
)

// hook is an in-process webhook.Server on 127.0.0.1 with a certificate from its own CA.
type hook struct {
	ca     *tlstest.CA
	addr   string
	cancel context.CancelFunc
	done   chan error
	logs   *logbuf.Buffer
}

// startHook serves the webhook with cfg (TLS and logger filled in) until the test ends or Stop.
func startHook(t *testing.T, cfg webhook.Config) *hook {
	t.Helper()
	ca, certFile, keyFile, err := tlstest.ServingFiles(t.TempDir(), "imagepull-e2e", "127.0.0.1")
	require.NoError(t, err)
	cfg.TLSCertFile, cfg.TLSKeyFile = certFile, keyFile
	logs := &logbuf.Buffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	s, err := webhook.NewServer(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	h := &hook{ca: ca, addr: ln.Addr().String(), cancel: cancel, done: make(chan error, 1), logs: logs}
	go func() { h.done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() { h.Stop(t) })
	return h
}

// Stop stops the webhook and waits for it.
func (h *hook) Stop(t *testing.T) {
	if h.done == nil {
		return
	}
	h.cancel()
	select {
	case err := <-h.done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the webhook did not stop")
	}
	h.done = nil
}

// decisions returns the decision of each review logged so far, with its reason.
func (h *hook) decisions(t *testing.T) []string {
	t.Helper()
	var out []string
	for line := range strings.Lines(h.logs.String()) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		if m["msg"] != "admission decision" {
			continue
		}
		d := m["endpoint"].(string) + " " + m["operation"].(string) + " " + m["resource"].(string)
		if s, _ := m["subresource"].(string); s != "" {
			d += "/" + s
		}
		d += " " + m["name"].(string) + ": " + m["decision"].(string)
		if r, ok := m["reason"].(string); ok {
			d += " (" + r + ")"
		}
		out = append(out, d)
	}
	return out
}

// registration says which halves to register and how they fail.
type registration struct {
	mutate, validate *admissionregistrationv1.FailurePolicyType
}

var (
	fail   = ptr(admissionregistrationv1.Fail)
	ignore = ptr(admissionregistrationv1.Ignore)
)

// register registers h's endpoints on api as reg says, for namespaces labelled
// imagepull.test/webhook=on, under configuration names unique to the test, and removes them when
// the test ends; it returns the configurations' name. Pods and their ephemeralcontainers subresource are both sent, so that the
// webhook's own rule for subresources is what keeps ephemeral containers untouched.
func register(t *testing.T, api *controlplane.APIServer, h *hook, reg registration) string {
	t.Helper()
	ctx := t.Context()
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	rules := []admissionregistrationv1.RuleWithOperations{{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
		Rule: admissionregistrationv1.Rule{
			APIGroups: []string{""}, APIVersions: []string{"v1"},
			Resources: []string{"pods", "pods/ephemeralcontainers"}, Scope: ptr(admissionregistrationv1.NamespacedScope),
		},
	}}
	selector := &metav1.LabelSelector{MatchLabels: map[string]string{"imagepull.test/webhook": "on"}}
	if reg.mutate != nil {
		cfg := &admissionregistrationv1.MutatingWebhookConfiguration{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Webhooks: []admissionregistrationv1.MutatingWebhook{{
				Name: mutateName, ClientConfig: h.clientConfig("/mutate"), Rules: rules, FailurePolicy: reg.mutate,
				SideEffects: ptr(admissionregistrationv1.SideEffectClassNone), AdmissionReviewVersions: []string{"v1"},
				NamespaceSelector: selector, TimeoutSeconds: ptr(int32(5)),
			}},
		}
		_, err := api.Client.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, cfg, metav1.CreateOptions{})
		require.NoError(t, err)
		t.Cleanup(func() {
			_ = api.Client.AdmissionregistrationV1().MutatingWebhookConfigurations().Delete(context.Background(), name, metav1.DeleteOptions{})
		})
	}
	if reg.validate != nil {
		cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Webhooks: []admissionregistrationv1.ValidatingWebhook{{
				Name: validateName, ClientConfig: h.clientConfig("/validate"), Rules: rules, FailurePolicy: reg.validate,
				SideEffects: ptr(admissionregistrationv1.SideEffectClassNone), AdmissionReviewVersions: []string{"v1"},
				NamespaceSelector: selector, TimeoutSeconds: ptr(int32(5)),
			}},
		}
		_, err := api.Client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, cfg, metav1.CreateOptions{})
		require.NoError(t, err)
		t.Cleanup(func() {
			_ = api.Client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(context.Background(), name, metav1.DeleteOptions{})
		})
	}
	return name
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// clientConfig is how the API server reaches path on h.
func (h *hook) clientConfig(path string) admissionregistrationv1.WebhookClientConfig {
	return admissionregistrationv1.WebhookClientConfig{URL: ptr("https://" + h.addr + path), CABundle: h.ca.PEM}
}
