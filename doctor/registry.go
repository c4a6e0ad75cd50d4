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

// probeKind maps package registry's kinds onto doctor's; the others are ProbeError.
func probeKind(k registry.Kind) ProbeKind {
	switch k {
	case registry.KindFound:
		return ProbeOK
	case registry.KindNotFound:
		return ProbeNotFound
	case registry.KindRepositoryNotFound:
		return ProbeRepositoryNotFound
	case registry.KindUnauthorized:
		return ProbeUnauthorized
	case registry.KindDenied:
		return ProbeDenied
	case registry.KindRateLimited:
		return ProbeRateLimited
	case registry.KindTLSUnknownAuthority:
		return ProbeTLSUnknownAuthority
	case registry.KindTLSWrongName:
		return ProbeTLSWrongName
	case registry.KindTLSFailure:
		return ProbeTLS
	case registry.KindDNS:
		return ProbeDNS
	case registry.KindTimeout:
		return ProbeTimeout
	case registry.KindPlainHTTPServer:
		return ProbePlainHTTP
	case registry.KindHTTPSRequired:
		return ProbeHTTPSRequired
	case registry.KindConnectionRefused:
		return ProbeRefused
	case registry.KindUnavailable:
		return ProbeUnavailable
	}
	return ProbeError
}

// fromRegistry converts a registry.ProbeResult; its text is already masked and bounded.
func fromRegistry(res registry.ProbeResult) ProbeResult {
	out := ProbeResult{Kind: probeKind(res.Kind), Message: res.Message(), Tags: res.Tags}
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
