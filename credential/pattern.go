package credential

// Pattern is an image glob read and matched as the kubelet reads the matchImages of a
// credential provider plugin and the keys of a plugin's answer (its URLsMatchStr): a host whose
// "."-separated labels may each be a glob ("*.azurecr.io", "k8s.*.io", "app*.k8s.io"), an
// optional port and an optional path. A Pattern is immutable and safe for concurrent use; its
// zero value matches nothing.
type Pattern struct {
	s   string
	loc location
}

// ParsePattern parses s ("123456789.dkr.ecr.us-east-1.amazonaws.com", "*.azurecr.io",
// "registry.io:8080/path") as the kubelet's ParseSchemelessURL: url.Parse of "https://" + s.
// Its error is url.Parse's, for example
// `parse "https://%invalid%": invalid URL escape "%in"`. Like the kubelet, ParsePattern accepts
// a string that carries a scheme ("https://gcr.io"); such a pattern matches no image, since
// "https:" becomes its host.
func ParsePattern(s string) (Pattern, error) {
	l, err := parseGlob(s)
	if err != nil {
		return Pattern{}, err
	}
	return Pattern{s: s, loc: l}, nil
}

// Match reports whether image, a repository without tag or digest such as
// "docker.io/library/nginx" ([reference.Image.Repository]), matches p as the kubelet's
// URLsMatch decides: the same port (a pattern without a port matches only an image without
// one), the same number of host labels, each label matching p's glob (path.Match syntax, so
// "*" never spans a "."), and p's path a string prefix of the image's path ("quay.io/team"
// matches "quay.io/teamwork/app" too). Host names are compared as written (case-sensitive).
func (p Pattern) Match(image string) bool {
	return p.loc.matches(parseTarget(image))
}

// String returns the pattern as it was parsed.
func (p Pattern) String() string { return p.s }
