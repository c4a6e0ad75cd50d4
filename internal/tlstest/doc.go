// Package tlstest makes throwaway certificate authorities and serving certificates for tests
// that need real TLS: the webhook's server and its registration with a real kube-apiserver.
package tlstest
