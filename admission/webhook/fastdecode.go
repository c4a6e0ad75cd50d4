package webhook

import (
	"bytes"
	"encoding/json"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
)

// The fast path. A review as the API server sends it is decoded in one pass over its bytes that
// validates the JSON and keeps only what the plugin reads, instead of encoding/json scanning the
// review, copying the pod out of it, scanning the pod again and decoding it field by field
// (about 2.5 passes at encoding/json's speed for a 7 MB pod).
//
// It answers only where it is sure to agree with encoding/json, and declines (ok false) anywhere
// else, so that the caller goes the encoding/json way: on invalid JSON, on a value of the wrong
// type in a field it keeps, on a key at a level it interprets that holds an escape or a
// non-ASCII byte (either could fold into a field's name), that matches a field's name only
// case-insensitively, or that repeats a field, on a kept string with an escape or a non-ASCII
// byte or a label value of null, and on nesting deeper than [fastMaxDepth]. FuzzFastDecode pins
// that an answer equals encoding/json's.

// fastMaxDepth bounds the nesting the fast path follows; deeper input declines (encoding/json
// allows 10,000 levels).
const fastMaxDepth = 256

// fastScanner reads JSON from b at i. When text is set it holds b's bytes, and the strings kept
// are cut from it: one copy of the pod's bytes instead of one allocation per string.
type fastScanner struct {
	b     []byte
	text  string
	i     int
	depth int
}

// ws skips whitespace as JSON defines it.
func (s *fastScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte after whitespace, or 0 at the end.
func (s *fastScanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// lit consumes the literal word (true, false, null).
func (s *fastScanner) lit(word string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// str consumes a string at s.i (which holds '"') and returns its raw contents; plain is true
// when it holds no escape and only printable ASCII, so that the raw bytes are its value. It
// validates escapes as JSON does; other bytes (even invalid UTF-8) pass, as in encoding/json.
func (s *fastScanner) str() (raw []byte, plain, ok bool) {
	start := s.i + 1
	plain = true
	for i := start; i < len(s.b); i++ {
		c := s.b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return s.b[start:i], plain, true
		case c < 0x20:
			return nil, false, false
		case c >= 0x80:
			plain = false
		case c == '\\':
			plain = false
			i++
			if i >= len(s.b) {
				return nil, false, false
			}
			switch s.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.b) {
					return nil, false, false
				}
				for _, h := range s.b[i+1 : i+5] {
					if !isHex(h) {
						return nil, false, false
					}
				}
				i += 4
			default:
				return nil, false, false
			}
		}
	}
	return nil, false, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number consumes a JSON number.
func (s *fastScanner) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	s.i = i
	return true
}

// skip consumes and validates any value.
func (s *fastScanner) skip() bool {
	switch s.peek() {
	case '"':
		_, _, ok := s.str()
		return ok
	case '{':
		if !s.open('{') {
			return false
		}
		for first := true; ; first = false {
			_, _, done, ok := s.member(first)
			if !ok || !done && !s.skip() {
				return false
			}
			if done {
				return true
			}
		}
	case '[':
		if !s.open('[') {
			return false
		}
		for first := true; ; first = false {
			done, ok := s.element(first)
			if !ok || !done && !s.skip() {
				return false
			}
			if done {
				return true
			}
		}
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.lit("null")
	}
	return s.number()
}

// open consumes the '{' or '[' that begins an object or an array.
func (s *fastScanner) open(c byte) bool {
	if s.peek() != c || s.depth >= fastMaxDepth {
		return false
	}
	s.depth++
	s.i++
	return true
}

// member moves to the next member of the object being read (first: its first one): it returns
// the member's key with the scanner at its value, or done once the object's '}' is consumed.
func (s *fastScanner) member(first bool) (key []byte, plain, done, ok bool) {
	c := s.peek()
	switch {
	case c == '}':
		s.i++
		s.depth--
		return nil, false, true, true
	case !first && c != ',':
		return nil, false, false, false
	case !first:
		s.i++
		c = s.peek()
	}
	if c != '"' {
		return nil, false, false, false
	}
	key, plain, ok = s.str()
	if !ok || s.peek() != ':' {
		return nil, false, false, false
	}
	s.i++
	return key, plain, false, true
}

// element moves to the next element of the array being read (first: its first one), or reports
// done once the array's ']' is consumed.
func (s *fastScanner) element(first bool) (done, ok bool) {
	switch c := s.peek(); {
	case c == ']':
		s.i++
		s.depth--
		return true, true
	case !first && c != ',':
		return false, false
	case !first:
		s.i++
		if s.peek() == ']' { // a trailing comma
			return false, false
		}
	}
	return false, true
}

// object consumes an object, calling member for each key with the scanner at its value; member
// must consume the value.
func (s *fastScanner) object(member func(key []byte, plain bool) bool) bool {
	if !s.open('{') {
		return false
	}
	for first := true; ; first = false {
		key, plain, done, ok := s.member(first)
		switch {
		case !ok:
			return false
		case done:
			return true
		case !member(key, plain):
			return false
		}
	}
}

// fields matches the keys of one object against the names of a struct's fields as encoding/json
// does, or declines.
type fields struct {
	names []string
	seen  uint64
}

// match returns the index of key among the names, -1 for a key encoding/json ignores, and false
// when the fast path must decline: a key that is not plain, matches a name only
// case-insensitively, or repeats one.
func (f *fields) match(key []byte, plain bool) (int, bool) {
	if !plain {
		return -1, false
	}
	for i, name := range f.names {
		if len(key) != len(name) || !asciiEqualFold(key, name) {
			continue
		}
		if string(key) != name || f.seen&(1<<i) != 0 {
			return -1, false
		}
		f.seen |= 1 << i
		return i, true
	}
	return -1, true
}

func asciiEqualFold(a []byte, b string) bool {
	for i := range a {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// keptString decodes a string field: a plain string, or null (which leaves it as it is, empty).
func (s *fastScanner) keptString(dst *string) bool {
	switch s.peek() {
	case 'n':
		return s.lit("null")
	case '"':
		start := s.i + 1
		raw, plain, ok := s.str()
		if !ok || !plain {
			return false
		}
		if s.text != "" {
			*dst = s.text[start : start+len(raw)]
		} else {
			*dst = string(raw)
		}
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *fastScanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// fastReview decodes body as json.Unmarshal into an AdmissionReview does, or declines (ok
// false). The request's object and oldObject are located in the one pass and decoded there as
// [fastSlimPod] would decode them (pods[0] and pods[1], nil where it would decline); then they
// are replaced by null for encoding/json to decode the small rest, and their bytes are set as
// RawExtension would have set them.
func fastReview(body []byte) (review *admissionv1.AdmissionReview, pods [2]*slimPod, ok bool) {
	s := &fastScanner{b: body, text: string(body)}
	type span struct{ start, end int }
	var objs [2]span
	top := fields{names: []string{"request"}}
	ok = s.object(func(key []byte, plain bool) bool {
		i, ok := top.match(key, plain)
		if !ok {
			return false
		}
		if i < 0 {
			return s.skip()
		}
		in := fields{names: []string{"object", "oldObject"}}
		return s.object(func(key []byte, plain bool) bool {
			i, ok := in.match(key, plain)
			if !ok {
				return false
			}
			if i < 0 {
				return s.skip()
			}
			s.peek()
			start, depth := s.i, s.depth
			if pods[i], ok = s.slimPod(); !ok {
				pods[i] = nil
				s.i, s.depth = start, depth
				if !s.skip() {
					return false
				}
			}
			objs[i] = span{start, s.i}
			return true
		})
	})
	if !ok || !s.end() || top.seen == 0 {
		return nil, [2]*slimPod{}, false
	}
	// The rest, with the objects as null: a few hundred bytes for encoding/json.
	rest := make([]byte, 0, 512)
	at := 0
	order := objs
	if order[1].start < order[0].start {
		order[0], order[1] = order[1], order[0]
	}
	for _, sp := range order {
		if sp.end == 0 {
			continue
		}
		rest = append(append(rest, body[at:sp.start]...), "null"...)
		at = sp.end
	}
	rest = append(rest, body[at:]...)
	review = &admissionv1.AdmissionReview{}
	if err := json.Unmarshal(rest, review); err != nil || review.Request == nil {
		return nil, [2]*slimPod{}, false
	}
	review.Request.Object.Raw = rawValue(body, objs[0].start, objs[0].end)
	review.Request.OldObject.Raw = rawValue(body, objs[1].start, objs[1].end)
	return review, pods, true
}

// rawValue is what RawExtension.UnmarshalJSON keeps of the value body[start:end]: nothing for
// null (or no value), else its bytes (shared with body, which nothing writes to).
func rawValue(body []byte, start, end int) []byte {
	v := body[start:end:end]
	if end == 0 || string(v) == "null" {
		return nil
	}
	return v
}

// fastSlimPod decodes raw as json.Unmarshal into a slimPod does when it succeeds, or declines.
func fastSlimPod(raw []byte) (*slimPod, bool) {
	s := &fastScanner{b: raw, text: string(raw)}
	p, ok := s.slimPod()
	if !ok || !s.end() {
		return nil, false
	}
	return p, true
}

// slimPod decodes the value at s.i as json.Unmarshal of that value into a slimPod does when it
// succeeds, or declines.
func (s *fastScanner) slimPod() (*slimPod, bool) {
	var p slimPod
	top := fields{names: []string{"apiVersion", "kind", "metadata", "spec"}}
	ok := s.object(func(key []byte, plain bool) bool {
		i, ok := top.match(key, plain)
		switch {
		case !ok:
			return false
		case i == 0:
			return s.keptString(&p.APIVersion)
		case i == 1:
			return s.keptString(&p.Kind)
		case i == 2:
			return s.nullOr(func() bool { return s.metadata(&p) })
		case i == 3:
			return s.nullOr(func() bool { return s.spec(&p) })
		}
		return s.skip()
	})
	if !ok {
		return nil, false
	}
	return &p, true
}

// nullOr consumes null (which leaves a struct as it is) or decodes the value with decode.
func (s *fastScanner) nullOr(decode func() bool) bool {
	if s.peek() == 'n' {
		return s.lit("null")
	}
	return decode()
}

// metadata decodes the kept fields of a pod's metadata.
func (s *fastScanner) metadata(p *slimPod) bool {
	m := fields{names: []string{"name", "generateName", "namespace", "labels"}}
	return s.object(func(key []byte, plain bool) bool {
		i, ok := m.match(key, plain)
		switch {
		case !ok:
			return false
		case i == 0:
			return s.keptString(&p.Metadata.Name)
		case i == 1:
			return s.keptString(&p.Metadata.GenerateName)
		case i == 2:
			return s.keptString(&p.Metadata.Namespace)
		case i == 3:
			if s.peek() == 'n' {
				return s.lit("null") // a map set to null is nil
			}
			labels := map[string]string{}
			p.Metadata.Labels = labels
			return s.object(func(key []byte, plain bool) bool {
				if !plain || s.peek() != '"' { // a null value would store ""; decline it too
					return false
				}
				var v string
				if !s.keptString(&v) {
					return false
				}
				labels[string(key)] = v // a repeated key: the last wins, as in encoding/json
				return true
			})
		}
		return s.skip()
	})
}

// spec decodes the kept fields of a pod's spec.
func (s *fastScanner) spec(p *slimPod) bool {
	m := fields{names: []string{"initContainers", "containers", "ephemeralContainers", "volumes"}}
	return s.object(func(key []byte, plain bool) bool {
		i, ok := m.match(key, plain)
		switch {
		case !ok:
			return false
		case i == 0:
			return s.containers(&p.Spec.InitContainers)
		case i == 1:
			return s.containers(&p.Spec.Containers)
		case i == 2:
			return s.containers(&p.Spec.EphemeralContainers)
		case i == 3:
			return s.volumes(&p.Spec.Volumes)
		}
		return s.skip()
	})
}

// containers decodes a list of containers: null is nil, [] is empty, a null element is a zero
// container. It runs once per container, so it calls no closure.
func (s *fastScanner) containers(dst *[]slimContainer) bool {
	if s.peek() == 'n' {
		return s.lit("null")
	}
	if !s.open('[') {
		return false
	}
	list := []slimContainer{}
	defer func() { *dst = list[:len(list):len(list)] }()
	for first := true; ; first = false {
		done, ok := s.element(first)
		switch {
		case !ok:
			return false
		case done:
			return true
		}
		list = append(list, slimContainer{})
		c := &list[len(list)-1]
		if s.peek() == 'n' {
			if !s.lit("null") {
				return false
			}
			continue
		}
		if !s.open('{') {
			return false
		}
		m := fields{names: []string{"name", "image", "imagePullPolicy"}}
		for first := true; ; first = false {
			key, plain, done, ok := s.member(first)
			if !ok {
				return false
			}
			if done {
				break
			}
			i, ok := m.match(key, plain)
			switch {
			case !ok:
				return false
			case i == 0:
				ok = s.keptString(&c.Name)
			case i == 1:
				ok = s.keptString(&c.Image)
			case i == 2:
				ok = s.keptString((*string)(&c.ImagePullPolicy))
			default:
				ok = s.skip()
			}
			if !ok {
				return false
			}
		}
	}
}

// volumes decodes a list of volumes: their names and image sources.
func (s *fastScanner) volumes(dst *[]slimVolume) bool {
	if s.peek() == 'n' {
		return s.lit("null")
	}
	if !s.open('[') {
		return false
	}
	list := []slimVolume{}
	defer func() { *dst = list[:len(list):len(list)] }()
	for first := true; ; first = false {
		done, ok := s.element(first)
		switch {
		case !ok:
			return false
		case done:
			return true
		}
		list = append(list, slimVolume{})
		v := &list[len(list)-1]
		if s.peek() == 'n' {
			if !s.lit("null") {
				return false
			}
			continue
		}
		if !s.open('{') {
			return false
		}
		m := fields{names: []string{"name", "image"}}
		for first := true; ; first = false {
			key, plain, done, ok := s.member(first)
			if !ok {
				return false
			}
			if done {
				break
			}
			i, ok := m.match(key, plain)
			switch {
			case !ok:
				return false
			case i == 0:
				ok = s.keptString(&v.Name)
			case i == 1:
				ok = s.imageSource(&v.Image)
			default:
				ok = s.skip()
			}
			if !ok {
				return false
			}
		}
	}
}

// imageSource decodes a volume's image source: null is nil.
func (s *fastScanner) imageSource(dst **corev1.ImageVolumeSource) bool {
	if s.peek() == 'n' {
		*dst = nil // a pointer set to null is nil
		return s.lit("null")
	}
	if !s.open('{') {
		return false
	}
	src := &corev1.ImageVolumeSource{}
	*dst = src
	m := fields{names: []string{"reference", "pullPolicy"}}
	for first := true; ; first = false {
		key, plain, done, ok := s.member(first)
		if !ok {
			return false
		}
		if done {
			return true
		}
		i, ok := m.match(key, plain)
		switch {
		case !ok:
			return false
		case i == 0:
			ok = s.keptString(&src.Reference)
		case i == 1:
			ok = s.keptString((*string)(&src.PullPolicy))
		default:
			ok = s.skip()
		}
		if !ok {
			return false
		}
	}
}
