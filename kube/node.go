package kube

import (
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// field returns the value of key in mapping n, or nil. The last occurrence wins, as in
// encoding/json.
func field(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var v *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
			v = n.Content[i+1]
		}
	}
	return resolve(v)
}

// scalar returns the value of key in mapping n when it is a scalar, or "".
func scalar(n *yaml.Node, key string) string {
	if v := field(n, key); v != nil && v.Kind == yaml.ScalarNode && v.ShortTag() != "!!null" {
		return v.Value
	}
	return ""
}

// lookup follows a JSON-path-style path ("spec.containers[0].image") from n. It returns the
// deepest node it reached and whether it reached the end.
func lookup(n *yaml.Node, path string) (*yaml.Node, bool) {
	n = resolve(n)
	for path != "" {
		var step string
		step, path = nextStep(path)
		var next *yaml.Node
		if idx, ok := strings.CutPrefix(step, "["); ok {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if c := resolve(n); err == nil && c != nil && c.Kind == yaml.SequenceNode && i >= 0 && i < len(c.Content) {
				next = resolve(c.Content[i])
			}
		} else {
			next = field(n, step)
		}
		if next == nil {
			return n, false
		}
		n = next
	}
	return n, true
}

// nextStep splits the first step off path: a field name or an index "[N]".
func nextStep(path string) (step, rest string) {
	path = strings.TrimPrefix(path, ".")
	if strings.HasPrefix(path, "[") {
		if i := strings.IndexByte(path, ']'); i >= 0 {
			return path[:i+1], path[i+1:]
		}
		return path, ""
	}
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i], path[i:]
	}
	return path, ""
}
