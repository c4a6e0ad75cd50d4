package plugin_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/credential/plugin"
	"github.com/imagepull/imagepull/credential/plugin/plugintest"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// TestRegistryWithPluginCredentials: a private image on the loopback registry resolves with the
// credentials the plugin returns, and only with them.
func TestRegistryWithPluginCredentials(t *testing.T) {
	r := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "robot", Password: "s3cret"}})
	pushed, err := r.PushRandom(t.Context(), "private:v1")
	require.NoError(t, err)
	img := reference.MustParse(r.Ref("private", "v1"))

	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{
		providerConfig("registry-login", []string{r.Host()}, "-username", "robot", "-password", "s3cret"),
	}}, binDir(t, "registry-login"))
	require.NoError(t, err)
	creds, err := p.Credentials(t.Context(), credential.ProviderRequest{Image: img.Original()})
	require.NoError(t, err)
	require.Len(t, creds, 1)

	resolver, err := registry.NewResolver(&registry.Options{PlainHTTP: []string{"127.0.0.1"}, MaxRetries: -1})
	require.NoError(t, err)
	t.Cleanup(resolver.CloseIdleConnections)
	_, err = resolver.ResolveWithCredentials(t.Context(), img, nil)
	require.ErrorIs(t, err, registry.ErrUnauthorized, "anonymously the registry says 401")
	got, err := resolver.ResolveWithCredentials(t.Context(), img, creds)
	require.NoError(t, err)
	assert.Equal(t, pushed, got)
}

// TestImageManagerWithPlugin: the kubelet's image manager pulls a private image with the
// plugin's credentials; a second pod within the cache duration does not run the plugin again;
// node-wide plugin credentials open the image to every pod, as the kubelet records them.
func TestImageManagerWithPlugin(t *testing.T) {
	log, calls := callLog(t)
	clock := newClock()
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{
		providerConfig("login", []string{"registry.example.com"}, "-calls", log, "-username", "robot", "-password", "s3cret",
			"-cache-key-type", "Registry", "-auth-keys", "registry.example.com", "-cache-duration", "5m"),
	}}, binDir(t, "login"), plugin.WithClock(clock.Now))
	require.NoError(t, err)
	rt := kubelettest.NewRuntime()
	rt.Private("registry.example.com/team/app", credential.Credential{Username: "robot", Password: "s3cret"})
	records := pullmanager.NewMemoryRecords()
	m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Now: clock.Now, Records: records, CredentialProvider: p})
	require.NoError(t, err)

	const image = "registry.example.com/team/app:v1"
	for i, pod := range []string{"pod-a", "pod-b"} {
		clock.Advance(time.Minute)
		res, err := m.EnsureImageExists(t.Context(), kubelet.Request{
			Pod: kubelet.Pod{Namespace: "team", Name: pod, UID: pod}, Image: image, Policy: pullpolicy.Always,
		})
		require.NoError(t, err, "pod %d", i)
		require.NotEmpty(t, res.ImageRef)
	}
	pulls := rt.Pulls()
	require.Len(t, pulls, 2, "Always pulls for each pod")
	for _, pull := range pulls {
		require.Len(t, pull.Credentials, 1)
		assert.Equal(t, "robot", pull.Credentials[0].Username)
	}
	assert.Equal(t, []string{"registry.example.com/team/app"}, calls(), "the second pod's pull used the cached answer")

	all, err := records.ListPulledRecords()
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, map[string]pullmanager.ImagePullCredentials{"registry.example.com/team/app": {NodePodsAccessible: true}},
		all[0].CredentialMapping, "a plugin not in service-account mode gives node-wide credentials")
}

// TestImageManagerWithServiceAccountPlugin: credentials obtained for a service account are
// recorded as that service account's (KEP-2535): another pod of the same service account may
// use the present image, and a pod whose service account lacks the required annotation gets
// no credentials, so it must pull, and the registry refuses it.
func TestImageManagerWithServiceAccountPlugin(t *testing.T) {
	log, calls := callLog(t)
	yes := true
	pc := providerConfig("wi", []string{"registry.example.com"}, "-calls", log, "-username", "robot", "-password", "s3cret",
		"-auth-keys", "registry.example.com")
	pc.TokenAttributes = &plugin.TokenAttributes{ServiceAccountTokenAudience: "registry.example.com", CacheType: plugin.CacheTypeServiceAccount,
		RequireServiceAccount: &yes, RequiredServiceAccountAnnotationKeys: []string{"registry.example.com/role"}}
	accounts := &plugintest.ServiceAccounts{}
	accounts.Add("team", "builder", plugin.ServiceAccount{UID: "sa-1", Annotations: map[string]string{"registry.example.com/role": "pull"}})
	accounts.Add("team", "default", plugin.ServiceAccount{UID: "sa-2"})
	clock := newClock()
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{pc}}, binDir(t, "wi"),
		plugin.WithServiceAccountTokens(accounts), plugin.WithClock(clock.Now))
	require.NoError(t, err)
	rt := kubelettest.NewRuntime()
	rt.Private("registry.example.com/team/app", credential.Credential{Username: "robot", Password: "s3cret"})
	records := pullmanager.NewMemoryRecords()
	m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Now: clock.Now, Records: records, CredentialProvider: p})
	require.NoError(t, err)
	ensure := func(pod, serviceAccount string) (kubelet.Result, error) {
		return m.EnsureImageExists(t.Context(), kubelet.Request{
			Pod:   kubelet.Pod{Namespace: "team", Name: pod, UID: pod, ServiceAccount: serviceAccount},
			Image: "registry.example.com/team/app:v1", Policy: pullpolicy.IfNotPresent,
		})
	}

	_, err = ensure("first", "builder")
	require.NoError(t, err)
	require.Len(t, rt.Pulls(), 1)
	all, err := records.ListPulledRecords()
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, map[string]pullmanager.ImagePullCredentials{"registry.example.com/team/app": {
		KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{{UID: "sa-1", Namespace: "team", Name: "builder"}},
	}}, all[0].CredentialMapping, "recorded as the service account's, as the kubelet records it")

	res, err := ensure("second", "builder")
	require.NoError(t, err)
	assert.Contains(t, res.Message, "already present on machine and can be accessed by the pod")
	assert.Len(t, rt.Pulls(), 1, "no pull: the same service account")

	_, err = ensure("third", "default")
	require.ErrorIs(t, err, pullpolicy.ErrImagePull, "no annotation, no credentials: the pull is refused")
	pulls := rt.Pulls()
	require.Len(t, pulls, 2, "the present image had to be pulled again for a pod of another service account")
	assert.Empty(t, pulls[1].Credentials)
	assert.Equal(t, []string{"registry.example.com/team/app"}, calls(), "the plugin ran once: cached for builder, never run for default")
}
