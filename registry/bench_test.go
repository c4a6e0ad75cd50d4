package registry_test

import (
	"testing"

	"github.com/imagepull/imagepull/internal/registrytest"
)

// BenchmarkResolveHEAD measures one resolve of an unchanged tag: a HEAD round trip over a
// kept-alive loopback connection, anonymous and with a cached bearer token.
func BenchmarkResolveHEAD(b *testing.B) {
	for _, bc := range []struct {
		name string
		auth registrytest.Auth
	}{
		{"anonymous", registrytest.Auth{}},
		{"bearer", registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			reg := registrytest.New(b, registrytest.Options{Auth: bc.auth})
			push(b, reg, "app:v1")
			opts := fastOptions(reg)
			opts.Credentials = mustKeyring(b, reg.Host(), testUser, testPassword)
			r := newResolver(b, opts)
			img := ref(reg, "app", "v1")
			if _, err := r.Resolve(b.Context(), img); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Resolve(b.Context(), img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
