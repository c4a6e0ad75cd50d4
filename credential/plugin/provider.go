package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/reference"
)

// Provider runs the kubelet's exec credential provider plugins for the images pods pull. It
// implements [credential.Provider]. It is safe for concurrent use, starts no goroutine of its
// own, and needs no closing: a plugin run lasts at most its timeout.
type Provider struct {
	providers []*provider
	logger    *slog.Logger
}

var _ credential.Provider = (*Provider)(nil)

// NewProviderFromFiles builds a Provider as the kubelet registers its plugins from
// --image-credential-provider-config (configPath, a file or a directory; see [ReadConfig]) and
// --image-credential-provider-bin-dir (binDir): the directory must exist, the configuration
// must read and validate, and every provider's binary must be an executable in binDir. Errors
// match [ErrInvalidConfig] or [ErrPluginNotFound].
func NewProviderFromFiles(configPath, binDir string, opts ...Option) (*Provider, error) {
	dir, err := openPluginDir(binDir)
	if err != nil {
		return nil, &Error{Reason: ErrPluginNotFound, Err: err}
	}
	cfg, err := ReadConfig(configPath)
	if err != nil {
		return nil, err
	}
	return newProvider(cfg, dir, opts)
}

// NewProvider builds a Provider of cfg, whose plugin binaries are in binDir. cfg is validated
// ([Config.Validate]) and not kept. Errors match [ErrInvalidConfig] or [ErrPluginNotFound].
func NewProvider(cfg *Config, binDir string, opts ...Option) (*Provider, error) {
	dir, err := openPluginDir(binDir)
	if err != nil {
		return nil, &Error{Reason: ErrPluginNotFound, Err: err}
	}
	return newProvider(cfg, dir, opts)
}

func newProvider(cfg *Config, dir pluginDir, opts []Option) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.check(); err != nil {
		return nil, configError(err)
	}
	p := &Provider{logger: o.logger}
	for _, pc := range cfg.Providers {
		pr, err := buildProvider(pc, dir, &o)
		if err != nil {
			return nil, err
		}
		p.providers = append(p.providers, pr)
	}
	return p, nil
}

// buildProvider readies one configured plugin; cfg is valid.
func buildProvider(pc ProviderConfig, dir pluginDir, o *options) (*provider, error) {
	if _, err := dir.binary(pc.Name); err != nil {
		return nil, providerError(pc.Name, ErrPluginNotFound, err)
	}
	pr := &provider{
		name:       pc.Name,
		defaultTTL: pc.DefaultCacheDuration.Duration,
		cache:      newCredentialCache(o.now, o.maxEntries),
		now:        o.now,
		run: &runner{
			name: pc.Name, dir: dir, apiVersion: pc.APIVersion, args: pc.Args,
			environ: o.environ, timeout: o.timeout, maxOut: o.maxOut, log: o.logger,
		},
	}
	for _, m := range pc.MatchImages {
		pat, err := credential.ParsePattern(m)
		if err != nil { // Validate parsed it already
			return nil, providerError(pc.Name, ErrInvalidConfig, err)
		}
		pr.match = append(pr.match, pat)
	}
	for _, e := range pc.Env {
		pr.run.env = append(pr.run.env, e.Name+"="+e.Value)
	}
	if t := pc.TokenAttributes; t != nil {
		if o.tokens == nil {
			return nil, providerError(pc.Name, ErrInvalidConfig, errors.New("tokenAttributes needs service account tokens: pass WithServiceAccountTokens"))
		}
		pr.sa = &serviceAccountMode{
			audience: t.ServiceAccountTokenAudience, require: *t.RequireServiceAccount,
			required: t.RequiredServiceAccountAnnotationKeys, optional: t.OptionalServiceAccountAnnotationKeys,
			cacheType: t.CacheType, tokens: o.tokens,
		}
	}
	return pr, nil
}

// Credentials returns the credentials the plugins give for the pod's image, in the order the
// kubelet tries them (see [Provider.Lookup]). As the kubelet does, a plugin that fails is
// logged (at error level, through [WithLogger]) and the lookup goes on without its
// credentials: the error is not returned. A plugin not run for the pod (a service account
// missing or lacking a required annotation) is logged at debug level. The only errors are an
// image that does not parse and ctx ending, returned as they are.
func (p *Provider) Credentials(ctx context.Context, req credential.ProviderRequest) ([]credential.Credential, error) {
	creds, failures, err := p.lookup(ctx, req)
	if err != nil {
		return nil, err
	}
	for _, f := range failures {
		p.logger.LogAttrs(ctx, slog.LevelError, "Failed getting credential from external registry credential provider",
			slog.String("provider", f.Provider), slog.Any("error", f))
	}
	return creds, nil
}

// Lookup is [Provider.Credentials] that returns the plugins' failures instead of logging them:
// the credentials of the plugins that answered, and errors.Join of one [*Error] per plugin that
// failed (nil when none did). The plugins whose matchImages match the image's repository run in
// the configuration's order, each answered from its cache when it can; their answers are merged
// into one keyring, as the kubelet merges them, and looked up for the repository. So every
// matching plugin contributes, the most specific auth key comes first whatever plugin gave it,
// and credentials under the same key keep the plugins' order. Credentials obtained in
// service-account mode carry a [credential.SourceServiceAccount] source naming the pod's service
// account (its namespace, name and UID); the others are node-wide (the zero Source).
//
// req.Repository is what the plugins are asked for and matched against ("docker.io/library/nginx");
// when it is empty it is taken from req.Image. req.Pod.ServiceAccount is the pod's
// spec.serviceAccountName as the kubelet sees it: "" means a pod without a service account (a
// static pod), not the namespace's default. When ctx ends, Lookup returns ctx's error at once;
// a plugin run it started goes on (within its timeout) for other lookups and the cache.
func (p *Provider) Lookup(ctx context.Context, req credential.ProviderRequest) ([]credential.Credential, error) {
	creds, failures, err := p.lookup(ctx, req)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(failures))
	for i, f := range failures {
		errs[i] = f
	}
	return creds, errors.Join(errs...)
}

// lookup runs the matching providers; failures are theirs, err is the request's or ctx's.
func (p *Provider) lookup(ctx context.Context, req credential.ProviderRequest) (creds []credential.Credential, failures []*Error, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	image, err := repositoryOf(req)
	if err != nil {
		return nil, nil, err
	}
	var answers []*answer
	for _, pr := range p.providers {
		if !pr.matches(image) {
			continue
		}
		ans, err := pr.provide(ctx, image, req.Pod)
		var skipped errSkipped
		var failure *Error
		switch {
		case err == nil:
			answers = append(answers, ans)
		case errors.As(err, &skipped):
			p.logger.LogAttrs(ctx, slog.LevelDebug, "Credential provider not run for the pod",
				slog.String("provider", pr.name), slog.String("image", image), slog.String("reason", skipped.reason))
		case errors.As(err, &failure):
			failures = append(failures, failure)
		default: // ctx ended
			return nil, nil, err
		}
	}
	return merge(answers).Lookup(image), failures, nil
}

// merge returns the keyring of the answers together, as the kubelet adds every provider's
// answer to one keyring; one answer's own keyring serves as it is.
func merge(answers []*answer) *credential.Keyring {
	switch len(answers) {
	case 0:
		return nil
	case 1:
		return answers[0].ring
	}
	var entries []credential.Entry
	for _, a := range answers {
		entries = append(entries, a.entries...)
	}
	return credential.NewKeyring(entries)
}

// repositoryOf returns the repository a request is about: req.Repository, or else the
// repository of req.Image.
func repositoryOf(req credential.ProviderRequest) (string, error) {
	if req.Repository != "" {
		return req.Repository, nil
	}
	img, err := reference.Parse(req.Image)
	if err != nil {
		return "", fmt.Errorf("credential provider plugins: %w", err)
	}
	return img.Repository(), nil
}
