package doctor

import (
	"context"
	"strconv"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
)

// RegistryProber is the [Prober] of a registry resolver: [registry.Resolver.Probe], which
// asks the registry itself with one credential, without retries, and classifies its answer.
// Build the resolver with the node's view of the registries (Options.PlainHTTP,
// Options.RootCAs) and MaxRetries -1.
func RegistryProber(r *registry.Resolver) Prober {
	return ProberFunc(func(ctx context.Context, img reference.Image, cred *credential.Credential) ProbeResult {
		return fromRegistry(r.Probe(ctx, img, cred))
	})
}

// probeKinds maps package registry's kinds onto doctor's; the others are ProbeError.
var probeKinds = map[registry.Kind]ProbeKind{
	registry.KindFound:               ProbeOK,
	registry.KindNotFound:            ProbeNotFound,
	registry.KindRepositoryNotFound:  ProbeRepositoryNotFound,
	registry.KindUnauthorized:        ProbeUnauthorized,
	registry.KindDenied:              ProbeDenied,
	registry.KindRateLimited:         ProbeRateLimited,
	registry.KindTLSUnknownAuthority: ProbeTLSUnknownAuthority,
	registry.KindTLSWrongName:        ProbeTLSWrongName,
	registry.KindTLSFailure:          ProbeTLS,
	registry.KindDNS:                 ProbeDNS,
	registry.KindTimeout:             ProbeTimeout,
	registry.KindPlainHTTPServer:     ProbePlainHTTP,
	registry.KindHTTPSRequired:       ProbeHTTPSRequired,
	registry.KindConnectionRefused:   ProbeRefused,
	registry.KindUnavailable:         ProbeUnavailable,
}

// fromRegistry converts a registry.ProbeResult; its text is already masked and bounded.
func fromRegistry(res registry.ProbeResult) ProbeResult {
	kind, ok := probeKinds[res.Kind]
	if !ok {
		kind = ProbeError
	}
	out := ProbeResult{Kind: kind, Message: res.Message(), Tags: res.Tags}
	if res.Kind == registry.KindFound {
		out.Message, out.Digest = "", res.Digest.String()
	}
	if rl := res.RateLimit; rl != nil {
		if rl.Remaining >= 0 {
			out.RateLimitRemaining = strconv.Itoa(rl.Remaining)
		}
		if !rl.Reset.IsZero() {
			out.RateLimitReset = rl.Reset.UTC().Format(time.RFC3339)
		}
	}
	return out
}
