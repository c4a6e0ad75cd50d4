package cache

import (
	"encoding/json"
	"fmt"
)

// shape describes the keys a JSON value may hold: an object with fixed fields, an object with
// any keys whose values have shape values, an array whose elements have shape elem, or (all
// nil) a scalar.
type shape struct {
	fields map[string]*shape
	values *shape
	elem   *shape
}

var (
	scalar      = &shape{}
	intentShape = &shape{fields: map[string]*shape{"kind": scalar, "apiVersion": scalar, "image": scalar}}
	recordShape = &shape{fields: map[string]*shape{
		"kind": scalar, "apiVersion": scalar, "lastUpdatedTime": scalar, "imageRef": scalar,
		"credentialMapping": {values: &shape{fields: map[string]*shape{
			"kubernetesSecrets": {elem: &shape{fields: map[string]*shape{
				"uid": scalar, "namespace": scalar, "name": scalar, "credentialHash": scalar}}},
			"kubernetesServiceAccounts": {elem: &shape{fields: map[string]*shape{
				"uid": scalar, "namespace": scalar, "name": scalar}}},
			"nodePodsAccessible": scalar,
		}}},
	}}
)

// check reads one value from dec and verifies its keys against s. Value types are left to the
// typed decoding that follows.
func (s *shape) check(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := make(map[string]bool)
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				return err
			}
			key := keyTok.(string)
			child := s.values
			if s.fields != nil {
				if child = s.fields[key]; child == nil {
					return fmt.Errorf("unknown field %q", path+key)
				}
			}
			if child == nil { // an object where a scalar or array was expected
				child = scalar
			}
			if seen[key] {
				return fmt.Errorf("duplicate field %q", path+key)
			}
			seen[key] = true
			if err := child.check(dec, path+key+"."); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
		return err
	case json.Delim('['):
		elem := s.elem
		if elem == nil {
			elem = scalar
		}
		for dec.More() {
			if err := elem.check(dec, path); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
		return err
	}
	return nil
}
