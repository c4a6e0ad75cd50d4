package kubelet_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// TestRestartLosesNothing restarts the image manager on the same pull-record files and the
// same runtime, with nobody calling Initialize: the Secret on record still opens the image to
// its pod, the pull a crash interrupted (intent written, image pulled, no record) becomes a
// record that every pod must verify against, and the record of an image no longer on the node
// is pruned.
func TestRestartLosesNothing(t *testing.T) {
	const (
		app         = "docker.io/team/app:v1"
		interrupted = "docker.io/team/other:v1"
		gone        = "docker.io/team/gone:v1"
	)
	alice := credential.Credential{Username: "alice", Password: "pw"}
	secret := credential.Secret{Namespace: "a", Name: "pull", UID: "s1", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(`{"auths":{"docker.io":{"username":"alice","password":"pw"}}}`)}}
	podA := kubelet.Pod{Namespace: "a", Name: "web", UID: "pod-a"}
	podB := kubelet.Pod{Namespace: "b", Name: "web", UID: "pod-b"}
	dir := t.TempDir()
	rt := kubelettest.NewRuntime()
	for _, repo := range []string{"team/app", "team/other", "team/gone"} {
		rt.Private(repo, alice)
	}
	clock := new(kubelettest.Clock)
	start := func() (*kubelet.ImageManager, *cache.FileRecords) {
		records, err := cache.NewFileRecords(dir)
		require.NoError(t, err)
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records, Now: clock.Now})
		require.NoError(t, err)
		return m, records
	}

	// The first run: pod A pulls two images with its Secret; then a crash interrupts a third
	// pull after the runtime finished it, and image GC removes the second image.
	m, records := start()
	for _, image := range []string{app, gone} {
		_, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: podA, Image: image, PullSecrets: []credential.Secret{secret}})
		require.NoError(t, err)
	}
	require.NoError(t, records.WritePullIntent(interrupted))
	_, err := rt.PullImage(t.Context(), kubelet.PullRequest{Image: interrupted, Credentials: []credential.Credential{alice}})
	require.NoError(t, err)
	goneImage, ok, err := rt.Lookup(t.Context(), mustParse(gone))
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, rt.Remove(goneImage.ID))
	clock.Advance(time30s)

	// The restart.
	m, records = start()
	res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: podA, Image: app, PullSecrets: []credential.Secret{secret}})
	require.NoError(t, err)
	assert.Equal(t, `Container image "docker.io/team/app:v1" already present on machine and can be accessed by the pod`, res.Message)

	intents, err := records.ListPullIntents()
	require.NoError(t, err)
	// The interrupted pull's intent was recovered into a record and removed; the finished
	// pulls removed theirs, as the kubelet does: no intent is left.
	assert.Empty(t, intents)
	other, ok, err := rt.Lookup(t.Context(), mustParse(interrupted))
	require.NoError(t, err)
	require.True(t, ok)
	rec, ok, err := records.GetPulledRecord(other.ID)
	require.NoError(t, err)
	require.True(t, ok, "the interrupted pull is on record")
	assert.Empty(t, rec.CredentialMapping, "with no credentials: every pod must verify")
	_, ok, err = records.GetPulledRecord(goneImage.ID)
	require.NoError(t, err)
	assert.False(t, ok, "the record of an image no longer on the node is pruned")

	// Pod B, without the Secret, may not start the recovered image: it must pull, and fails.
	pulls := len(rt.Pulls())
	_, err = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: podB, Image: interrupted})
	require.ErrorIs(t, err, pullpolicy.ErrImagePull)
	assert.Len(t, rt.Pulls(), pulls+1, "pod B had to pull")
}

const time30s = 30 * time.Second

func mustParse(s string) reference.Image { return reference.MustParse(s) }
