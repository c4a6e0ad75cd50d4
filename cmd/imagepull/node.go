package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/credential/plugin"
	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
)

// registryFlags are the flags that reach a registry: node credentials, credential provider
// plugins and plain HTTP hosts.
type registryFlags struct {
	dockerConfig string
	plainHTTP    listFlag
	providerCfg  string
	providerBin  string
	command      string // the command's name, for the notes on stderr
}

func (r *registryFlags) register(fs *flagSet) {
	r.command = fs.Name()
	fs.StringVar(&r.dockerConfig, "docker-config", "",
		"registry credentials from a docker config `FILE` (~/.docker/config.json or a\n.dockerconfigjson), as the node's keyring")
	fs.Var(&r.plainHTTP, "plain-http", "speak plain HTTP to `HOST` or HOST:PORT (repeatable); HTTPS otherwise")
	fs.StringVar(&r.providerCfg, "image-credential-provider-config", "",
		"the kubelet's CredentialProviderConfig `FILE` (or directory): credential provider\nplugins run for matching images, as the kubelet runs them")
	fs.StringVar(&r.providerBin, "image-credential-provider-bin-dir", "",
		"the `DIR` holding the credential provider plugins' binaries")
}

// set reports whether any of the flags was given.
func (r *registryFlags) set() bool {
	return r.dockerConfig != "" || len(r.plainHTTP) > 0 || r.providerCfg != "" || r.providerBin != ""
}

// provider builds the credential provider plugins' Provider; nil when neither flag is
// given. Plugin failures are logged to stderr, one line each, and the command goes on
// without their credentials, as the kubelet does. A configuration directory's entries that are
// not regular files (a FIFO, a device) are skipped with a note on stderr.
func (r *registryFlags) provider(stderr io.Writer) (*plugin.Provider, error) {
	switch {
	case r.providerCfg == "" && r.providerBin == "":
		return nil, nil
	case r.providerCfg == "" || r.providerBin == "":
		return nil, usagef("--image-credential-provider-config and --image-credential-provider-bin-dir go together")
	}
	cfg, err := plugin.ReadConfigSkipping(r.providerCfg, func(file string, reason error) {
		fmt.Fprintf(stderr, "imagepull %s: skipped %s: %v\n", r.command, file, reason)
	})
	if err != nil {
		return nil, inputErr(fmt.Errorf("--image-credential-provider-config: %w", err))
	}
	p, err := plugin.NewProvider(cfg, r.providerBin, plugin.WithLogger(warnings(stderr)))
	if err != nil {
		return nil, inputErr(err)
	}
	return p, nil
}

// warnings is a logger for what the library logs at error level (a credential provider that
// failed): one line each on w, without a time stamp.
func warnings(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelError,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
}

// keyring reads --docker-config; nil when it is not given.
func (r *registryFlags) keyring() (*credential.Keyring, error) {
	if r.dockerConfig == "" {
		return nil, nil
	}
	k, err := credential.FromDockerConfigFile(r.dockerConfig)
	if err != nil {
		return nil, inputErr(fmt.Errorf("--docker-config: %w", err))
	}
	return k, nil
}

// open returns a registry resolver with the node keyring of --docker-config, and that
// keyring (nil without --docker-config).
func (r *registryFlags) open() (*registry.Resolver, *credential.Keyring, error) {
	k, err := r.keyring()
	if err != nil {
		return nil, nil, err
	}
	res, err := registry.NewResolver(&registry.Options{Credentials: k, PlainHTTP: r.plainHTTP})
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	return res, k, nil
}

// nodeFlags describe the node a decision is made on (--present or --runtime, or neither for
// a node without images) and whether the registry is asked (--registry).
type nodeFlags struct {
	present  listFlag
	runtime  string
	registry bool
	reg      registryFlags
	// credentialsWithoutRegistry allows credentials without --registry: explain's image
	// manager uses them for credential verification too.
	credentialsWithoutRegistry bool
}

func (n *nodeFlags) register(fs *flagSet) {
	fs.Var(&n.present, "present", "the node holds `IMAGE` (repeatable, or comma-separated); without\n--present or --runtime the node holds no image")
	fs.StringVar(&n.runtime, "runtime", "",
		"ask a real container runtime's CRI image service at `ENDPOINT`\n(unix:///run/containerd/containerd.sock) which images the node holds")
	fs.BoolVar(&n.registry, "registry", false, "ask the registry for the tag's digest under Always (beyond the kubelet,\nwhich leaves that to the runtime's pull)")
	n.reg.register(fs)
}

// node is the node and registry a decision is made against.
type node struct {
	store    pullpolicy.Store
	desc     string             // for the text output: "no images", "2 images given with --present"
	resolver *registry.Resolver // nil without --registry
	keyring  *credential.Keyring
	provider *plugin.Provider // nil without the credential provider flags
	close    func() error
}

// open checks the flags and opens the node: an in-memory store of the --present images, or
// the CRI runtime, and the registry when asked for.
func (n *nodeFlags) open(ctx context.Context, stderr io.Writer) (*node, error) {
	if len(n.present) > 0 && n.runtime != "" {
		return nil, usagef("--present and --runtime are exclusive: the node's images come from one of them")
	}
	switch {
	case n.registry:
	case len(n.reg.plainHTTP) > 0:
		return nil, usagef("--plain-http needs --registry")
	case n.reg.set() && !n.credentialsWithoutRegistry:
		return nil, usagef("registry credentials (--docker-config, --image-credential-provider-*) need --registry")
	}
	out := &node{close: func() error { return nil }}
	var err error
	if out.provider, err = n.reg.provider(stderr); err != nil {
		return nil, err
	}
	if n.registry {
		if out.resolver, out.keyring, err = n.reg.open(); err != nil {
			return nil, err
		}
	} else if out.keyring, err = n.reg.keyring(); err != nil {
		return nil, err
	}
	if n.runtime != "" {
		c, err := cri.Dial(ctx, n.runtime, nil)
		if err != nil {
			return nil, inputErr(fmt.Errorf("--runtime: %w", err))
		}
		name, version, err := c.Version(ctx)
		if err != nil {
			c.Close()
			return nil, inputErr(fmt.Errorf("--runtime: %w", err))
		}
		out.store, out.close = c, c.Close
		out.desc = fmt.Sprintf("%s %s at %s", name, version, n.runtime)
		return out, nil
	}
	store, err := presentStore(n.present)
	if err != nil {
		return nil, err
	}
	out.store = store
	switch len(n.present) {
	case 0:
		out.desc = "no images (give --present or --runtime)"
	default:
		out.desc = "holds " + strings.Join(n.present, ", ")
	}
	return out, nil
}

// presentStore is a node holding the named images, as if pulled by those names: a tag, a
// digest, or both for one image.
func presentStore(names []string) (*cache.Store, error) {
	s := cache.NewStore()
	for _, name := range names {
		img, err := reference.Parse(name)
		if err != nil {
			return nil, usagef("--present: %v", err)
		}
		var local pullpolicy.LocalImage
		if d := img.Digest(); d != "" {
			local.RepoDigests = []string{img.Repository() + "@" + d.String()}
			if t := img.Tag(); t != "" {
				local.RepoTags = []string{img.Repository() + ":" + t}
			}
		} else {
			local.RepoTags = []string{name}
		}
		if err := s.Add(local); err != nil {
			return nil, usagef("--present %s: %v", name, err)
		}
	}
	return s, nil
}

// providerCredentials asks the credential provider plugins, if any, for image's credentials,
// as the kubelet would for a pod (here without one). A plugin's failure is logged and its
// credentials left out; only an interruption is an error.
func (n *node) providerCredentials(ctx context.Context, image string) ([]credential.Credential, error) {
	if n.provider == nil {
		return nil, nil
	}
	img, err := reference.Parse(image)
	if err != nil {
		return nil, nil // the decision reports the name
	}
	creds, err := n.provider.Credentials(ctx, credential.ProviderRequest{Image: image, Repository: img.Repository()})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	return creds, nil
}
