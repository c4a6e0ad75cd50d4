package plugin

// CachedAnswers returns how many answers the named provider holds in its cache, expired or
// not, for tests that check purging and bounds.
func CachedAnswers(p *Provider, name string) int {
	for _, pr := range p.providers {
		if pr.name == name {
			return pr.cache.len()
		}
	}
	return -1
}

// DisablePIDNamespaces makes every plugin of p run without a PID namespace of its own, as
// where creating one is refused, so that the environment sweep is what catches descendants.
func DisablePIDNamespaces(p *Provider) {
	for _, pr := range p.providers {
		pr.run.contain.noNamespace.Store(true)
	}
}

// UsesPIDNamespaces reports whether the named provider's next run starts in a PID namespace.
func UsesPIDNamespaces(p *Provider, name string) bool {
	for _, pr := range p.providers {
		if pr.name == name {
			return pidNamespaces && !pr.run.contain.noNamespace.Load()
		}
	}
	return false
}

// MaxStderrBytes is how much of a plugin's stderr is kept for the debug log.
const MaxStderrBytes = maxStderrBytes
