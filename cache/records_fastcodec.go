package cache

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// The fast path of the record codec. Files written by the kubelet or by FileRecords are in one
// canonical form (compact, fields in declaration order, map keys sorted, empty fields omitted),
// so a reader that accepts exactly that form, with strings free of escapes, decodes almost
// every real file in one pass without reflection. Anything else, valid or not, falls back to
// the strict general decoder (decodeStrict), which alone produces errors: the fast path never
// rejects, it only declines. FuzzRecordFastPath checks that whatever it accepts decodes to the
// same record as the general decoder.

const (
	recordHead = `{"kind":"ImagePulledRecord","apiVersion":"` + apiVersionV1beta1 + `","lastUpdatedTime":`
	intentHead = `{"kind":"ImagePullIntent","apiVersion":"` + apiVersionV1beta1 + `","image":`
)

// cursor reads canonical JSON; ok turns false at the first byte it does not expect.
type cursor struct {
	data []byte
	ok   bool
}

// lit consumes s.
func (c *cursor) lit(s string) bool {
	if !c.ok || !bytes.HasPrefix(c.data, []byte(s)) {
		c.ok = false
		return false
	}
	c.data = c.data[len(s):]
	return true
}

// try consumes s if it comes next, without failing otherwise.
func (c *cursor) try(s string) bool {
	if c.ok && bytes.HasPrefix(c.data, []byte(s)) {
		c.data = c.data[len(s):]
		return true
	}
	return false
}

// str consumes a JSON string without escapes, control characters or invalid UTF-8.
func (c *cursor) str() string {
	if !c.lit(`"`) {
		return ""
	}
	for i := 0; i < len(c.data); i++ {
		switch b := c.data[i]; {
		case b == '"':
			s := c.data[:i]
			if !utf8.Valid(s) {
				c.ok = false
				return ""
			}
			c.data = c.data[i+1:]
			return string(s)
		case b == '\\' || b < 0x20:
			c.ok = false
			return ""
		}
	}
	c.ok = false
	return ""
}

// end reports whether only an optional newline is left.
func (c *cursor) end() bool {
	c.try("\n")
	return c.ok && len(c.data) == 0
}

// fastDecodeIntent decodes a canonical v1beta1 intent file; ok is false when data is anything
// else.
func fastDecodeIntent(data []byte) (pullmanager.PullIntent, bool) {
	c := cursor{data: data, ok: true}
	c.lit(intentHead)
	image := c.str()
	c.lit("}")
	if !c.end() {
		return pullmanager.PullIntent{}, false
	}
	return pullmanager.PullIntent{Image: image}, true
}

// fastDecodeRecord decodes a canonical v1beta1 pulled-record file; ok is false when data is
// anything else.
func fastDecodeRecord(data []byte) (pullmanager.PulledRecord, bool) {
	c := cursor{data: data, ok: true}
	var r pullmanager.PulledRecord
	c.lit(recordHead)
	if !c.try("null") {
		t, err := time.Parse(time.RFC3339, c.str())
		if err != nil {
			return r, false
		}
		r.LastUpdatedTime = t.UTC()
	}
	c.lit(`,"imageRef":`)
	r.ImageRef = c.str()
	if c.try(`,"credentialMapping":{`) {
		r.CredentialMapping = make(map[string]pullmanager.ImagePullCredentials, 1)
		prev := ""
		for first := true; c.ok && (first || c.try(",")); first = false {
			key := c.str()
			if !first && strings.Compare(prev, key) >= 0 { // not sorted, or a duplicate
				return r, false
			}
			prev = key
			c.lit(":")
			r.CredentialMapping[key] = c.creds()
		}
		c.lit("}")
	}
	c.lit("}")
	if !c.end() {
		return pullmanager.PulledRecord{}, false
	}
	return r, true
}

// creds consumes one credentialMapping value in canonical form.
func (c *cursor) creds() pullmanager.ImagePullCredentials {
	var out pullmanager.ImagePullCredentials
	c.lit("{")
	sep := ""
	if c.try(`"kubernetesSecrets":[`) {
		for first := true; c.ok && (first || c.try(",")); first = false {
			var s pullmanager.ImagePullSecret
			s.UID, s.Namespace, s.Name = c.object()
			c.lit(`,"credentialHash":`)
			s.CredentialHash = c.str()
			c.lit("}")
			out.KubernetesSecrets = append(out.KubernetesSecrets, s)
		}
		c.lit("]")
		sep = ","
	}
	if c.try(sep + `"kubernetesServiceAccounts":[`) {
		for first := true; c.ok && (first || c.try(",")); first = false {
			var s pullmanager.ImagePullServiceAccount
			s.UID, s.Namespace, s.Name = c.object()
			c.lit("}")
			out.KubernetesServiceAccounts = append(out.KubernetesServiceAccounts, s)
		}
		c.lit("]")
		sep = ","
	}
	if c.try(sep + `"nodePodsAccessible":true`) {
		out.NodePodsAccessible = true
	}
	c.lit("}")
	return out
}

// object consumes the opening of a Secret's or service account's object: its UID, namespace
// and name, in that order. The caller consumes the rest.
func (c *cursor) object() (uid, namespace, name string) {
	c.lit(`{"uid":`)
	uid = c.str()
	c.lit(`,"namespace":`)
	namespace = c.str()
	c.lit(`,"name":`)
	name = c.str()
	return uid, namespace, name
}

// plainJSONString reports whether encoding/json writes s as itself between quotes: printable
// ASCII other than the characters it escapes (" \ < > &).
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b < 0x20 || b >= 0x7f, b == '"', b == '\\', b == '<', b == '>', b == '&':
			return false
		}
	}
	return true
}

// fastEncodeIntent is encodeIntent for v1beta1 and a plain image string; ok is false
// otherwise.
func fastEncodeIntent(image string) ([]byte, bool) {
	if !plainJSONString(image) {
		return nil, false
	}
	out := make([]byte, 0, len(intentHead)+len(image)+4)
	out = append(out, intentHead...)
	out = append(out, '"')
	out = append(out, image...)
	return append(out, "\"}\n"...), true
}
