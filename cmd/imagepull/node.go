package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
)

// registryFlags are the flags that reach a registry: node credentials and plain HTTP hosts.
type registryFlags struct {
	dockerConfig string
	plainHTTP    listFlag
}

func (r *registryFlags) register(fs *flagSet) {
	fs.StringVar(&r.dockerConfig, "docker-config", "",
		"registry credentials from a docker config `FILE` (~/.docker/config.json or a\n.dockerconfigjson), as the node's keyring")
	fs.Var(&r.plainHTTP, "plain-http", "speak plain HTTP to `HOST` or HOST:PORT (repeatable); HTTPS otherwise")
}

// set reports whether any of the flags was given.
func (r *registryFlags) set() bool { return r.dockerConfig != "" || len(r.plainHTTP) > 0 }

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
	close    func() error
}

// open checks the flags and opens the node: an in-memory store of the --present images, or
// the CRI runtime, and the registry when asked for.
func (n *nodeFlags) open(ctx context.Context) (*node, error) {
	if len(n.present) > 0 && n.runtime != "" {
		return nil, usagef("--present and --runtime are exclusive: the node's images come from one of them")
	}
	if !n.registry && n.reg.set() {
		return nil, usagef("--docker-config and --plain-http need --registry")
	}
	out := &node{close: func() error { return nil }}
	var err error
	if n.registry {
		if out.resolver, out.keyring, err = n.reg.open(); err != nil {
			return nil, err
		}
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
