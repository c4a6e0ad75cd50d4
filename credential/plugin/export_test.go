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
