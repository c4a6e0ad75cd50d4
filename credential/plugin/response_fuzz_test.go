package plugin

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzDecodeResponse feeds arbitrary bytes to the decoder of a plugin's stdout, for each
// protocol version. It must not panic; an answer it accepts has the response kind and the
// version sent, and re-encodes into an answer that decodes to the same bytes again; its error
// stays within a constant factor of the input and never repeats a username or password the
// input held (the error is logged, the answer holds credentials).
func FuzzDecodeResponse(f *testing.F) {
	for _, seed := range []string{
		`{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1","cacheKeyType":"Registry","cacheDuration":"5m",` +
			`"auth":{"*.registry.io":{"username":"robot","password":"s3cret-passw0rd"}}}`,
		`{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1beta1","cacheKeyType":"Image","auth":{}}`,
		`{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1","cacheKeyType":"Global","cacheDuration":"s3cret-passw0rd"}`,
		`{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1","auth":{"r":{"username":"robot-account","password":42}}}`,
		`{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1","auth":{"r":{"username":"u","password":"p","token":"s3cret-token"}}}`,
		`{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1","auth":{"r":{"password":"s3cret-passw0rd","password":"s3cret-passw0rd"}}}`,
		`{"kind":"Secret","apiVersion":"credentialprovider.kubelet.k8s.io/v1","auth":{"r":{"username":"u","password":"s3cret-passw0rd"}}}`,
		`{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1","auth":{"r":{"username":"u","password":"s3cret-passw0rd"}}`,
		`{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1","cacheKeyType":"Registry","auth":{"a<&>":{"username":"\u00e9\ud800","password":""}}}`,
		"",
	} {
		for v := range byte(3) {
			f.Add([]byte(seed), v)
		}
	}
	versions := []string{ProtocolV1, ProtocolV1beta1, ProtocolV1alpha1}
	f.Fuzz(func(t *testing.T, data []byte, v byte) {
		apiVersion := versions[int(v)%len(versions)]
		r, err := decodeResponse(data, apiVersion)
		if err != nil {
			msg := err.Error()
			if len(msg) > 4*len(data)+512 {
				t.Fatalf("a %d-byte answer gave a %d-byte error", len(data), len(msg))
			}
			for _, s := range leaked(data, apiVersion, msg) {
				t.Fatalf("the error repeats the credential %q: %s", s, msg)
			}
			return
		}
		if r.Kind != responseKind || r.APIVersion != apiVersion {
			t.Fatalf("accepted kind %q, apiVersion %q", r.Kind, r.APIVersion)
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("an accepted answer does not encode: %v", err)
		}
		if len(out) > 8*len(data)+128 {
			t.Fatalf("a %d-byte answer re-encodes in %d bytes", len(data), len(out))
		}
		again, err := decodeResponse(out, apiVersion)
		if err != nil {
			t.Fatalf("%q re-encoded as %q does not decode: %v", data, out, err)
		}
		if out2, err := json.Marshal(again); err != nil || !bytes.Equal(out2, out) {
			t.Fatalf("encoding is not a fixed point: %q then %q (%v)", out, out2, err)
		}
	})
}

// leaked returns the usernames and passwords of data that msg repeats for no other reason:
// not as an object key or another string of the input (the error names unknown fields and
// the kind), and not in the message for the same input with the credential's bytes replaced
// (the message's own words). Only credentials of 8 bytes or more that appear verbatim in data
// are checked: a shorter one is found in any message by chance.
func leaked(data []byte, apiVersion, msg string) []string {
	var doc any
	if json.Unmarshal(data, &doc) != nil {
		return nil // not JSON: the error gives a byte offset
	}
	secrets, others := map[string]bool{}, map[string]bool{}
	walkStrings(doc, false, secrets, others)
	var out []string
	for s := range secrets {
		if len(s) < 8 || strings.ContainsAny(s, "\"\\{}[]:,") || !bytes.Contains(data, []byte(s)) || !strings.Contains(msg, s) {
			continue
		}
		if containsIn(others, s) {
			continue
		}
		filler := bytes.Repeat([]byte("Z"), len(s))
		if s == string(filler) {
			filler = bytes.Repeat([]byte("Y"), len(s))
		}
		_, err := decodeResponse(bytes.ReplaceAll(data, []byte(s), filler), apiVersion)
		if err != nil && strings.Contains(err.Error(), s) {
			continue // the message's own text
		}
		out = append(out, s)
	}
	return out
}

// walkStrings sorts the strings of a decoded JSON value: the values of "username" and
// "password" keys (in any case) into secrets, every other key and string into others.
func walkStrings(v any, secret bool, secrets, others map[string]bool) {
	switch v := v.(type) {
	case string:
		if secret {
			secrets[v] = true
		} else {
			others[v] = true
		}
	case []any:
		for _, e := range v {
			walkStrings(e, false, secrets, others)
		}
	case map[string]any:
		for k, e := range v {
			others[k] = true
			walkStrings(e, strings.EqualFold(k, "username") || strings.EqualFold(k, "password"), secrets, others)
		}
	}
}

// containsIn reports whether s is part of one of the strings.
func containsIn(strs map[string]bool, s string) bool {
	for o := range strs {
		if strings.Contains(o, s) {
			return true
		}
	}
	return false
}
