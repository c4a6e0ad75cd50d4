package credential

// Entry is one credential stored under a docker config location: a host, host:port, host/path
// or wildcard host ("*.gcr.io"), with or without a scheme, as in a docker config's "auths" or
// the "auth" map of a credential provider plugin's answer.
type Entry struct {
	Location   string
	Credential Credential
}

// NewKeyring builds one keyring of entries, as the kubelet's BasicDockerKeyring.Add does when it
// adds docker configs one after the other: every entry is indexed under its location key,
// entries under the same key keep the order given, and [Keyring.Lookup] then returns the
// matching keys' credentials most specific key first. Each credential keeps its Source; its
// Hash is computed from its auth fields. An entry whose location does not parse as a URL is
// skipped, as the kubelet does. This is how the kubelet merges the answers of several
// credential provider plugins into one keyring.
func NewKeyring(entries []Entry) *Keyring {
	var b ringBuilder
	for _, e := range entries {
		b.put(e.Location, e.Credential)
	}
	return b.keyring()
}
