package plugin_test

import (
	"testing"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/credential/plugin"
	"github.com/imagepull/imagepull/credential/plugin/plugintest"
)

// BenchmarkCredentials puts a cache hit beside a plugin run (a fork and exec of a small Go
// binary, a JSON request and answer): what the cache saves on every image a pod pulls.
func BenchmarkCredentials(b *testing.B) {
	req := credential.ProviderRequest{Repository: "123456789.dkr.ecr.us-east-1.amazonaws.com/team/app"}
	for _, bc := range []struct {
		name  string
		ttl   string // the plugin's cacheDuration: "0s" runs it every time
		sweep bool   // no PID namespace: the run ends with a /proc sweep for its descendants
	}{{"cache-hit", "1h", false}, {"plugin-exec", "0s", false}, {"plugin-exec-env-sweep", "0s", true}} {
		b.Run(bc.name, func(b *testing.B) {
			p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{
				providerConfig("ecr", []string{"*.dkr.ecr.*.amazonaws.com"}, "-cache-key-type", "Registry",
					"-auth-keys", "*.dkr.ecr.*.amazonaws.com", "-cache-duration", bc.ttl),
			}}, binDir(b, "ecr"))
			if err != nil {
				b.Fatal(err)
			}
			if bc.sweep {
				plugin.DisablePIDNamespaces(p)
			}
			b.ReportAllocs()
			for b.Loop() {
				creds, err := p.Lookup(b.Context(), req)
				if err != nil || len(creds) != 1 {
					b.Fatal(creds, err)
				}
			}
		})
	}
	b.Run("cache-hit-service-account", func(b *testing.B) {
		yes := true
		pc := providerConfig("ecr", []string{"*.dkr.ecr.*.amazonaws.com"}, "-cache-key-type", "Registry",
			"-auth-keys", "*.dkr.ecr.*.amazonaws.com", "-cache-duration", "1h")
		pc.TokenAttributes = &plugin.TokenAttributes{ServiceAccountTokenAudience: "sts.amazonaws.com",
			CacheType: plugin.CacheTypeServiceAccount, RequireServiceAccount: &yes}
		accounts := &plugintest.ServiceAccounts{}
		accounts.Add("team", "builder", plugin.ServiceAccount{UID: "sa-1"})
		p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{pc}}, binDir(b, "ecr"),
			plugin.WithServiceAccountTokens(accounts))
		if err != nil {
			b.Fatal(err)
		}
		req := req
		req.Pod = credential.Pod{Namespace: "team", Name: "app", UID: "pod-1", ServiceAccount: "builder"}
		b.ReportAllocs()
		for b.Loop() {
			creds, err := p.Lookup(b.Context(), req)
			if err != nil || len(creds) != 1 {
				b.Fatal(creds, err)
			}
		}
	})
}
