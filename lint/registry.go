package lint

// publicRegistry reports whether host is a well-known public registry: pulls from it usually
// need no credentials.
func publicRegistry(host string) bool {
	switch host {
	case "docker.io", "registry.k8s.io", "k8s.gcr.io", "gcr.io", "ghcr.io", "quay.io",
		"public.ecr.aws", "mcr.microsoft.com", "registry.gitlab.com", "nvcr.io",
		"docker.elastic.co", "registry.access.redhat.com", "cgr.dev", "lscr.io",
		"localhost":
		return true
	}
	return false
}
