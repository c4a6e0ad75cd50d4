// Package plugin runs the kubelet's exec credential provider plugins
// (credentialprovider.kubelet.k8s.io), so that the real ecr-credential-provider, the GCP and
// Azure plugins and home-grown ones give registry credentials to an image manager built on this
// library exactly as they do on a node. A [Provider] implements [credential.Provider]; hand it to
// the image manager (kubelet.Config.CredentialProvider) or ask it directly.
//
//	p, err := plugin.NewProviderFromFiles("/etc/kubernetes/credential-providers.yaml", "/usr/libexec/kubernetes/credential-providers")
//	creds, err := p.Credentials(ctx, credential.ProviderRequest{Image: "123456789.dkr.ecr.us-east-1.amazonaws.com/app:v1"})
//
// # Configuration
//
// [ReadConfig] and [ParseConfig] read the kubelet's CredentialProviderConfig (the
// --image-credential-provider-config file, or a directory of them) in YAML or JSON, of
// apiVersion kubelet.config.k8s.io/v1, v1beta1 or v1alpha1, as strictly as the kubelet: unknown,
// duplicated or miscased fields are errors. [Config.Validate] applies the kubelet's validation
// with its error texts. Two checks go beyond the kubelet, for configurations it accepts but that
// can never work: a matchImages entry with a scheme, and NUL bytes in args or env.
//
// # Matching
//
// A provider runs only for an image (its normalised repository, "docker.io/library/nginx")
// that one of its matchImages matches, as the kubelet's URLsMatchStr decides
// ([credential.Pattern]): a glob per host label ("*.azurecr.io" matches "team.azurecr.io", not
// "azurecr.io" nor "a.b.azurecr.io"), the same port, and a path that is a string prefix. Every
// matching provider runs, in the configuration's order. Their answers' auth keys are matched
// the same way, in one keyring ([credential.NewKeyring]): the most specific key first, and the
// configuration's order among equal keys.
//
// # Running a plugin
//
// The plugin binary is the provider's name in the plugin directory
// (--image-credential-provider-bin-dir). Beyond the kubelet, it must resolve, symlinks
// followed, inside that directory, and it is checked again before every run. It gets a
// CredentialProviderRequest on stdin, its configured args, and its configured env on top of the
// process's environment. A run is killed after the kubelet's one minute ([WithTimeout]), and
// when it prints more than 1 MiB ([WithMaxResponseBytes]); the plugin runs in a process group of
// its own, which is killed when the run ends. A descendant that leaves the group (setsid) is
// caught on Linux: where the process may create PID namespaces (CAP_SYS_ADMIN, as the kubelet
// runs), each run is started as the init of a new one, and the kernel kills everything in it
// when the plugin ends; elsewhere each run gets a random IMAGEPULL_CREDENTIAL_PLUGIN_RUN entry
// in its environment, and when the run ends every process holding it is killed. A descendant
// that clears its environment or changes user escapes the latter; on other systems only the
// process group is killed. No process-wide state is changed (no child subreaper). Its stderr (the
// first 16 KiB) stays out of the error, which [Provider.Credentials] logs at error level: it is
// logged at debug level only, through [WithLogger], with the service-account token sent and any
// credentials the plugin printed masked. The kubelet appends stderr to the error
// (pkg/credentialprovider/plugin/plugin.go:720-722); a plugin that echoes its request would put
// the pod's token in an error-level log line. Its stdout must be a CredentialProviderResponse of the
// apiVersion it was sent, strictly decoded.
//
// # Caching
//
// Answers are cached as the kubelet caches them: under the image, its registry or one global
// key, as the answer's cacheKeyType says, for the answer's cacheDuration or else the provider's
// defaultCacheDuration; zero means not cached. A lookup tries the image, the registry and the
// global key in turn. Expired answers are dropped when met and swept every 15 minutes. Beyond
// the kubelet, each provider's cache is bounded ([WithMaxCacheEntries], and 32 MiB). Concurrent
// lookups that miss the cache for the same image share one run of the plugin; the run does not
// depend on the caller that started it, so a caller giving up returns at once while the others
// still get the answer, and the answer is cached even if every caller gave up. The cache's clock
// can be injected ([WithClock]).
//
// # Service-account mode (KEP-4412)
//
// A provider with tokenAttributes gets, for a pod with a service account, a token of that
// service account for the configured audience, bound to the pod, and the service account's
// annotations named in the configuration. [ServiceAccountTokens] is the API server access this
// needs (implement it with client-go; plugintest has one in memory). Answers are then cached
// per service account (cacheType ServiceAccount: namespace, name, UID and the annotations
// passed) or per token (cacheType Token); a plugin that hands the token back as the password is
// refused unless the cache type is Token. A pod without a service account gets nothing from a
// provider that requires one, and a service account lacking a required annotation gets
// nothing: the plugin is not run (this is how workloads opt in). The credentials carry a
// [credential.SourceServiceAccount] source naming the service account, so that the image
// manager records and verifies them as the kubelet does (KEP-2535); all other plugin
// credentials are node-wide.
//
// # Failures
//
// As the kubelet does, [Provider.Credentials] logs a plugin that fails (at error level, through
// [WithLogger]) and goes on without its credentials: the other plugins still contribute, and the
// pull then goes on with what there is. [Provider.Lookup] returns the same failures instead, as
// [*Error] values matching one of [ErrPluginNotFound], [ErrPluginExec] (with
// context.DeadlineExceeded for a plugin that outlived its timeout), [ErrInvalidResponse] or
// [ErrServiceAccount]. Configuration problems match [ErrInvalidConfig].
//
// # Kubelet parity
//
// The behaviour follows the kubelet's pkg/credentialprovider/plugin (plugin.go, plugins.go,
// config.go) and pkg/credentialprovider/keyring.go, with the
// KubeletServiceAccountTokenForCredentialProviders feature on. The kubelet's plugin metrics are
// not reproduced.
package plugin
