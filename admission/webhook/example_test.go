package webhook_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/imagepull/imagepull/admission/webhook"
)

// The handler answers a pod's AdmissionReview with a JSONPatch that sets Always.
func ExampleNewHandler() {
	h, err := webhook.NewHandler(webhook.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h) // in a cluster: webhook.Run, which serves TLS
	defer srv.Close()

	review := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
	  "uid":"705ab4f5-6393-11e8-b7cc-42010a800002","operation":"CREATE","namespace":"team-a",
	  "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
	  "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{
	    "containers":[{"name":"app","image":"registry.example/app:1","imagePullPolicy":"Never"}]}}}}`
	resp, err := http.Post(srv.URL+"/mutate", "application/json", bytes.NewBufferString(review))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var out struct {
		Response struct {
			Allowed   bool
			PatchType string
			Patch     []byte
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Response.Allowed, out.Response.PatchType)
	fmt.Println(string(out.Response.Patch))
	// Output:
	// true JSONPatch
	// [{"op":"add","path":"/spec/containers/0/imagePullPolicy","value":"Always"}]
}

// The `imagepull webhook` command's flags.
func ExampleConfig_RegisterFlags() {
	var cfg webhook.Config
	fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	err := fs.Parse([]string{"--addr=:9443", "--tls-cert-file=/tls/tls.crt", "--tls-private-key-file=/tls/tls.key", "--dry-run"})
	fmt.Println(err, cfg.Addr, cfg.TLSCertFile, cfg.TLSKeyFile, cfg.DryRun, cfg.ExcludeNamespaces)
	// Output: <nil> :9443 /tls/tls.crt /tls/tls.key true [kube-system]
}
