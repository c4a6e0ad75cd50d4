package apiservere2e

import (
	"context"
	"strconv"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/doctor"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
)

// registryProber is a [doctor.Prober] over [registry.Resolver.Probe]: the registry's answer
// classified by package registry, mapped onto doctor's kinds.
type registryProber struct{ r *registry.Resolver }

// Probe asks the registry about img with cred.
func (p registryProber) Probe(ctx context.Context, img reference.Image, cred *credential.Credential) doctor.ProbeResult {
	res := p.r.Probe(ctx, img, cred)
	out := doctor.ProbeResult{Kind: probeKinds[res.Kind], Message: res.Message(), Tags: res.Tags}
	if out.Kind == "" {
		out.Kind = doctor.ProbeError
	}
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

// probeKinds maps package registry's kinds onto doctor's.
var probeKinds = map[registry.Kind]doctor.ProbeKind{
	registry.KindFound:               doctor.ProbeOK,
	registry.KindNotFound:            doctor.ProbeNotFound,
	registry.KindRepositoryNotFound:  doctor.ProbeNotFound,
	registry.KindUnauthorized:        doctor.ProbeUnauthorized,
	registry.KindDenied:              doctor.ProbeDenied,
	registry.KindRateLimited:         doctor.ProbeRateLimited,
	registry.KindTLSUnknownAuthority: doctor.ProbeTLSUnknownAuthority,
	registry.KindTLSWrongName:        doctor.ProbeTLSWrongName,
	registry.KindTLSFailure:          doctor.ProbeTLS,
	registry.KindDNS:                 doctor.ProbeDNS,
	registry.KindTimeout:             doctor.ProbeTimeout,
	registry.KindPlainHTTPServer:     doctor.ProbePlainHTTP,
	registry.KindHTTPSRequired:       doctor.ProbePlainHTTP,
	registry.KindConnectionRefused:   doctor.ProbeRefused,
	registry.KindUnavailable:         doctor.ProbeUnavailable,
}
