package webhook

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
)

// apiServerReview is a review as a kube-apiserver sends it for a dry-run pod create: the whole
// pod after defaulting, with managedFields, resources, probes and status, and a user with groups
// and extra.
const apiServerReview = `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"0f9d3f2e-6c1a-4f53-9d2a-8c7e6b5a4d3c","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"requestKind":{"group":"","version":"v1","kind":"Pod"},"requestResource":{"group":"","version":"v1","resource":"pods"},"name":"web","namespace":"team-a","operation":"CREATE","userInfo":{"username":"kubernetes-admin","groups":["kubeadm:cluster-admins","system:authenticated"],"extra":{"authentication.kubernetes.io/credential-id":["X509SHA256=4f3c"]}},"object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","namespace":"team-a","uid":"6a1f7b0e-3c2d-4e5f-8a9b-0c1d2e3f4a5b","creationTimestamp":"2026-12-04T21:00:00Z","labels":{"app":"web","tier":"front"},"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}\n"},"managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1","time":"2026-12-04T21:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:imagePullPolicy":{}}}}}}]},"spec":{"volumes":[{"name":"kube-api-access-x7k2p","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}}],"defaultMode":420}},{"name":"models","image":{"reference":"registry.example/models:1","pullPolicy":"IfNotPresent"}}],"initContainers":[{"name":"init","image":"registry.example/init:1","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"Never"}],"containers":[{"name":"app","image":"registry.example/app:1","ports":[{"containerPort":8080,"protocol":"TCP"}],"env":[{"name":"RATIO","value":"0.5"}],"resources":{"limits":{"cpu":"500m","memory":"1Gi"},"requests":{"cpu":"250m","memory":"512Mi"}},"readinessProbe":{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","securityContext":{"runAsNonRoot":true,"readOnlyRootFilesystem":false}},{"name":"side","image":"registry.example/side@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","resources":{},"imagePullPolicy":"Always"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},"status":{"phase":"Pending","qosClass":"Burstable"}},"oldObject":null,"dryRun":true,"options":{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1","dryRun":["All"],"fieldManager":"kubectl-client-side-apply","fieldValidation":"Strict"}}}`

// fastCases are reviews for both paths: the API server's form (which the fast path must
// decode) and the forms it must decline, or decode just as encoding/json does.
var fastCases = []struct {
	name string
	body string
	fast bool // the fast path decodes it (rather than declining)
}{
	{"the API server's review", apiServerReview, true},
	{"an update with both objects, old first", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"UPDATE","resource":{"resource":"pods"},"oldObject":{"spec":{"containers":[{"image":"a"}]}},"object":{"spec":{"containers":[{"image":"b","imagePullPolicy":"Never"}]}}}}`, true},
	{"whitespace everywhere", " {\n\t\"apiVersion\" : \"admission.k8s.io/v1\" , \"kind\":\"AdmissionReview\",\"request\" : { \"uid\" : \"u\", \"operation\":\"CREATE\",\"resource\":{\"resource\":\"pods\"}, \"object\" : { \"spec\" : { \"containers\" : [ { \"image\" : \"a\" } , null ] , \"volumes\" : [ null , { \"image\" : null } , { \"image\" : { } } ] } } } }\r\n", true},
	{"empty collections and nulls", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{"apiVersion":null,"metadata":{"labels":{},"name":null},"spec":{"initContainers":null,"containers":[],"volumes":[]}}}}`, true},
	{"an object that is no pod", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}}}}`, true},
	{"an object that is a string", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":"pod"}}`, true},
	{"object null", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":null}}`, true},
	{"no object", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"DELETE","resource":{"resource":"pods"}}}`, true},
	{"repeated label keys", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{"metadata":{"labels":{"a":"1","a":"2"}},"spec":{"containers":[{"image":"a"}]}}}}`, true},
	{"a type error outside the kept fields", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":5,"operation":"CREATE","resource":{"resource":"pods"},"object":{}}}`, false},
	{"request in another case", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","Request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{}}}`, false},
	{"object twice", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{},"object":{"spec":{"containers":[{"image":"a"}]}}}}`, false},
	{"an escaped key", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"obj\u0065ct":{}}}`, false},
	{"a key folding into a name (long s)", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","reque` + "\u017f" + `t":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"}}}`, false},
	{"a container key in another case", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{"spec":{"containers":[{"Image":"a","imagepullpolicy":"Never"}]}}}}`, true},
	{"an escaped image", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{"spec":{"containers":[{"image":"a\u0062","imagePullPolicy":"Never"}]}}}}`, true},
	{"a policy of the wrong type", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{"spec":{"containers":[{"image":"a","imagePullPolicy":5}]}}}}`, true},
	{"invalid JSON in a skipped field", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{"spec":{"x":[1,]}}}}`, false},
	{"a number with a leading zero", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{"spec":{"x":01}}}}`, false},
	{"trailing data", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{}}}{}`, false},
	{"a control byte in a string", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"operation\":\"CREATE\",\"resource\":{\"resource\":\"pods\"},\"object\":{\"spec\":{\"x\":\"\x01\"}}}}", false},
	{"deep nesting", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"resource":"pods"},"object":{"x":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}}}`, false},
	{"request null", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":null}`, false},
	{"not an object", `[]`, false},
}

// TestFastReviewDecodesTheAPIServersForm: the fast path decodes the reviews it should (and
// declines the others), and what it decodes is what encoding/json decodes.
func TestFastReviewDecodesTheAPIServersForm(t *testing.T) {
	for _, tc := range fastCases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, ok := fastReview([]byte(tc.body))
			assert.Equal(t, tc.fast, ok)
			checkFastDecode(t, []byte(tc.body))
		})
	}
}

// TestFastPathAnswersAsEncodingJSON: for every case, both endpoints, with and without dry run,
// the handler answers and logs the same bytes with the fast path as without it.
func TestFastPathAnswersAsEncodingJSON(t *testing.T) {
	for _, tc := range fastCases {
		t.Run(tc.name, func(t *testing.T) {
			checkSameAnswers(t, []byte(tc.body))
		})
	}
}

// TestFastSlimPodDeclines: the pod decoder declines what it cannot decode as encoding/json does.
func TestFastSlimPodDeclines(t *testing.T) {
	for name, raw := range map[string]string{
		"a key in another case":          `{"Spec":{}}`,
		"a repeated key":                 `{"spec":{"containers":[{"image":"a","image":"b"}]}}`,
		"a repeated spec":                `{"spec":{},"spec":{}}`,
		"an escaped kept string":         `{"spec":{"containers":[{"image":"\u0061"}]}}`,
		"a non-ASCII kept string":        `{"metadata":{"name":"é"}}`,
		"a non-ASCII key":                `{"ſpec":{}}`,
		"the Kelvin sign in a key":       "{\"\u212aind\":\"Pod\"}",
		"a label set to null":            `{"metadata":{"labels":{"a":null}}}`,
		"a container that is a number":   `{"spec":{"containers":[1]}}`,
		"containers that are an object":  `{"spec":{"containers":{}}}`,
		"an image source that is a list": `{"spec":{"volumes":[{"image":[]}]}}`,
		"a pod that is null":             `null`,
		"invalid JSON":                   `{"spec":`,
	} {
		t.Run(name, func(t *testing.T) {
			_, ok := fastSlimPod([]byte(raw))
			assert.False(t, ok)
			checkFastDecode(t, []byte(`{"request":{"object":`+raw+`}}`))
		})
	}
}

// checkFastDecode fails unless each answer of the fast path equals encoding/json's: the review,
// and each pod it decoded within it or alone.
func checkFastDecode(t *testing.T, body []byte) {
	t.Helper()
	review, pods, ok := fastReview(body)
	if !ok {
		return
	}
	var want admissionv1.AdmissionReview
	require.NoError(t, json.Unmarshal(body, &want), "the fast path decoded a review encoding/json refuses")
	require.Equal(t, &want, review)
	for i, raw := range [][]byte{want.Request.Object.Raw, want.Request.OldObject.Raw} {
		alone, aloneOK := fastSlimPod(raw)
		if pods[i] != nil {
			require.True(t, aloneOK, "decoded in the review but not alone")
			require.Equal(t, alone, pods[i])
		}
		if !aloneOK {
			continue
		}
		var slim slimPod
		require.NoError(t, json.Unmarshal(raw, &slim), "the fast path decoded a pod encoding/json refuses")
		require.Equal(t, &slim, alone)
	}
}

// checkSameAnswers fails unless a handler with the fast path and one without answer body on both
// endpoints, with and without dry run, with the same status, response bytes and log line (less
// its duration).
func checkSameAnswers(t *testing.T, body []byte) {
	t.Helper()
	for _, dryRun := range []bool{false, true} {
		var answers [2]string
		for i, slowOnly := range []bool{false, true} {
			var log bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey || a.Key == "duration" {
					return slog.Attr{}
				}
				return a
			}}))
			h, err := NewHandler(Config{Logger: logger, DryRun: dryRun, MaxRequestBytes: 1 << 20})
			require.NoError(t, err)
			h.slowOnly = slowOnly
			var b strings.Builder
			for _, path := range []string{"/mutate", "/validate"} {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
				b.WriteString(path + " " + http.StatusText(rec.Code) + "\n" + rec.Body.String())
			}
			answers[i] = b.String() + log.String()
		}
		require.Equal(t, answers[1], answers[0], "dry run %v", dryRun)
	}
}

// FuzzFastDecode pins the fast path to encoding/json's: on arbitrary bytes and on mutations of
// real reviews, it declines or decodes the review and its pods as encoding/json does, and the
// handler answers and logs the same bytes with it as without it.
func FuzzFastDecode(f *testing.F) {
	for _, tc := range fastCases {
		f.Add([]byte(tc.body))
	}
	f.Add([]byte(`{"request":{"object":{"spec":{"containers":[{"image":"a","imagePullPolicy":"Never"}]}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFastDecode(t, body)
		checkSameAnswers(t, body)
	})
}
