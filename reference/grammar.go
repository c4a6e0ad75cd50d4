package reference

import (
	"fmt"
	"strings"

	distref "github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// This file reproduces distribution/reference v0.6.0's ParseNormalizedNamed — the parser the
// kubelet uses — without its regular expressions, which take seconds on multi-megabyte input.
// Acceptance, normalisation and errors are the same; FuzzParse checks that against the real
// function.

const (
	dockerHub       = "docker.io"
	legacyDockerHub = "index.docker.io"
	officialPrefix  = "library/"
)

// parts is a reference split as distribution/reference splits it.
type parts struct {
	domain  string // the first component when it is a registry, else ""
	lib     bool   // "library/" goes before rest
	rest    string // after domain and "/" (and "library/"): path [":" tag] ["@" digest]
	pathEnd int    // rest[:pathEnd] is the path (after "library/")
	tag     string
	digest  string
	valid   bool // domain matched the registry grammar; when false it is the path's first component
}

// parseNormalized parses s like distref.ParseNormalizedNamed.
func parseNormalized(s string) (parts, error) {
	if isIdentifier(s) {
		return parts{}, fmt.Errorf("invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s)
	}
	p := splitDomain(s)
	remote := p.rest
	if i := strings.IndexByte(remote, ':'); i >= 0 {
		remote = remote[:i]
	}
	if strings.ToLower(remote) != remote {
		if p.lib {
			remote = officialPrefix + remote
		}
		return parts{}, fmt.Errorf("%w: repository name (%s) must be lowercase", distref.ErrReferenceInvalidFormat, remote)
	}
	if !p.match() {
		lower := parts{domain: strings.ToLower(p.domain), lib: p.lib, rest: strings.ToLower(p.rest)}
		if lower.match() {
			return parts{}, distref.ErrNameContainsUppercase
		}
		return parts{}, distref.ErrReferenceInvalidFormat
	}
	if p.pathLen() > distref.RepositoryNameTotalLengthMax {
		return parts{}, distref.ErrNameTooLong
	}
	if p.digest != "" {
		if err := digest.Digest(p.digest).Validate(); err != nil {
			return parts{}, err
		}
	}
	return p, nil
}

// splitDomain is distribution/reference's splitDockerDomain.
func splitDomain(s string) parts {
	first, rest, ok := strings.Cut(s, "/")
	switch {
	case !ok:
		return parts{domain: dockerHub, lib: true, rest: s}
	case first == legacyDockerHub:
		first = dockerHub
	case first == "localhost", strings.ContainsAny(first, ".:"), strings.ToLower(first) != first:
	default:
		first, rest = dockerHub, s
	}
	return parts{domain: first, lib: first == dockerHub && !strings.Contains(rest, "/"), rest: rest}
}

// match reports whether domain "/" ["library/"] rest matches distribution/reference's
// ReferenceRegexp, and fills in the split. The domain candidate ends at the first "/", so the
// regexp's only choice is whether it is a registry or the first path component.
func (p *parts) match() bool {
	if !p.matchRest() {
		return false
	}
	p.valid = isDomainAndPort(p.domain)
	return p.valid || isPathComponent(p.domain)
}

// matchRest matches rest as path-component ("/" path-component)* [":" tag] ["@" digest].
func (p *parts) matchRest() bool {
	r := p.rest
	p.pathEnd = strings.IndexAny(r, ":@")
	if p.pathEnd < 0 {
		p.pathEnd = len(r)
	}
	for c := range strings.SplitSeq(r[:p.pathEnd], "/") {
		if !isPathComponent(c) {
			return false
		}
	}
	r = r[p.pathEnd:]
	if t, ok := strings.CutPrefix(r, ":"); ok {
		p.tag = t
		if i := strings.IndexByte(t, '@'); i >= 0 {
			p.tag = t[:i]
		}
		if r = t[len(p.tag):]; !isTag(p.tag) {
			return false
		}
	}
	if d, ok := strings.CutPrefix(r, "@"); ok {
		p.digest, r = d, ""
		if !isDigestPattern(d) {
			return false
		}
	}
	return r == ""
}

// pathLen is the length of the repository path after the registry.
func (p *parts) pathLen() int {
	n := p.pathEnd
	if p.lib {
		n += len(officialPrefix)
	}
	if !p.valid {
		n += len(p.domain) + 1
	}
	return n
}

func isIdentifier(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isPathComponent matches [a-z0-9]+ (?:(?:[._]|__|[-]+)[a-z0-9]+)*.
func isPathComponent(c string) bool {
	i := 0
	for {
		start := i
		for i < len(c) && (isDigit(c[i]) || c[i] >= 'a' && c[i] <= 'z') {
			i++
		}
		if i == start {
			return false
		}
		if i == len(c) {
			return true
		}
		switch c[i] {
		case '.':
			i++
		case '_':
			i++
			if i < len(c) && c[i] == '_' {
				i++
			}
		case '-':
			for i < len(c) && c[i] == '-' {
				i++
			}
		default:
			return false
		}
	}
}

// isDomainAndPort matches (domain-name | "[" [a-fA-F0-9:]+ "]") (":" [0-9]+)?.
func isDomainAndPort(s string) bool {
	host, port := s, ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 2 || !allBytes(s[1:end], func(c byte) bool { return isHex(c) || c == ':' }) {
			return false
		}
		port = s[end+1:]
	} else {
		if i := strings.IndexByte(s, ':'); i >= 0 {
			host, port = s[:i], s[i:]
		}
		for label := range strings.SplitSeq(host, ".") {
			if !isDomainLabel(label) {
				return false
			}
		}
	}
	return port == "" || len(port) > 1 && port[0] == ':' && allBytes(port[1:], isDigit)
}

// isDomainLabel matches [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9].
func isDomainLabel(l string) bool {
	return l != "" && isAlnum(l[0]) && isAlnum(l[len(l)-1]) &&
		allBytes(l, func(c byte) bool { return isAlnum(c) || c == '-' })
}

// isTag matches [\w][\w.-]{0,127}.
func isTag(t string) bool {
	word := func(c byte) bool { return isAlnum(c) || c == '_' }
	return t != "" && len(t) <= 128 && word(t[0]) &&
		allBytes(t, func(c byte) bool { return word(c) || c == '.' || c == '-' })
}

// isDigestPattern matches [A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}.
func isDigestPattern(d string) bool {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) < 32 || !allBytes(hex, isHex) {
		return false
	}
	for i := 0; i < len(alg); {
		if !isLetter(alg[i]) {
			return false
		}
		for i++; i < len(alg) && isAlnum(alg[i]); i++ {
		}
		if i < len(alg) {
			if !strings.ContainsRune("-_+.", rune(alg[i])) {
				return false
			}
			if i++; i == len(alg) {
				return false
			}
		}
	}
	return alg != ""
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := range len(s) {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
func isHex(c byte) bool    { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
