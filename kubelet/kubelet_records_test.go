package kubelet_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kubeletRecordsDir copies testdata/image_manager, a records directory laid out exactly as the
// kubelet v1.36 writes /var/lib/kubelet/image_manager, to a temporary directory. The file
// names are checked to be the kubelet's: "sha256-" and the hex SHA-256 of the imageRef (pulled
// records) or of the pod's image string (intents).
func kubeletRecordsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/image_manager")))
	records, err := cache.NewFileRecords(dir)
	require.NoError(t, err)
	pulled, err := records.ListPulledRecords()
	require.NoError(t, err)
	require.Len(t, pulled, 2)
	for _, rec := range pulled {
		_, err := os.Stat(filepath.Join(dir, "pulled", kubeletFileName(rec.ImageRef)))
		require.NoError(t, err, "the record for %s has the kubelet's file name", rec.ImageRef)
	}
	intents, err := records.ListPullIntents()
	require.NoError(t, err)
	require.Len(t, intents, 1)
	_, err = os.Stat(filepath.Join(dir, "pulling", kubeletFileName(intents[0].Image)))
	require.NoError(t, err)
	return dir
}

func kubeletFileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "sha256-" + hex.EncodeToString(sum[:])
}

// TestEnsureImageHonoursKubeletRecords reads the records the kubelet wrote and checks that the
// image manager honours them as the kubelet does. The kubelet keys a record's
// credentialMapping by trimImageTagDigest(image) (pkg/kubelet/images/pullmanager/
// image_pull_policies.go:182, used at image_pull_manager.go:121 and :254): the pod's image
// string without tag or digest, not normalised. The busybox record was written for a pod
// asking for "busybox:1.36", so it is keyed "busybox"; a pod spelling the same image
// "docker.io/library/busybox:1.36" has another key and must pull, as on the real kubelet.
func TestEnsureImageHonoursKubeletRecords(t *testing.T) {
	hub := func(ns, name, uid, password string) []credential.Secret {
		return []credential.Secret{dockerSecret(ns, name, uid, "https://index.docker.io/v1/", "alice", password)}
	}
	tests := []struct {
		name    string
		image   string
		secrets []credential.Secret
		pull    bool // whether the pod must pull (and so calls the runtime)
	}{
		{name: "short name with the recorded Secret", image: "busybox:1.36", secrets: hub("ns-a", "regcred", "uid-a", "pw")},
		{name: "the same repository spelled in full: another key", image: "docker.io/library/busybox:1.36", secrets: hub("ns-a", "regcred", "uid-a", "pw"), pull: true},
		{name: "spelled with index.docker.io: another key", image: "index.docker.io/library/busybox:1.36", secrets: hub("ns-a", "regcred", "uid-a", "pw"), pull: true},
		{name: "a copy of the Secret (same hash)", image: "busybox:1.36", secrets: hub("ns-c", "copy", "uid-c", "pw")},
		{name: "the Secret rotated (same coordinates)", image: "busybox:1.36", secrets: hub("ns-a", "regcred", "uid-a", "new")},
		{name: "no Secret", image: "busybox:1.36", pull: true},
		{name: "another Secret", image: "busybox:1.36", secrets: hub("ns-b", "other", "uid-b", "wrong"), pull: true},
		{name: "open to every pod", image: "registry.example/tools/public:latest"},
		{name: "an intent left by the kubelet", image: "quay.io/team/app:v2", pull: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := kubeletRecordsDir(t)
			records, err := cache.NewFileRecords(dir)
			require.NoError(t, err)
			rt := newFakeRuntime()
			busybox := remoteImage{id: "sha256:busybox-id", digest: dg("b"), size: 1, user: "alice", password: "pw"}
			rt.preload("busybox:1.36", busybox)
			rt.serve("busybox:1.36", busybox)
			rt.preload("registry.example/tools/public:latest", remoteImage{id: "sha256:public-id", digest: dg("d"), size: 1})
			rt.preload("quay.io/team/app:v2", remoteImage{id: "sha256:app-id", digest: dg("e"), size: 1})
			m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records})
			require.NoError(t, err)

			res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "pod"}, Image: tc.image, Policy: pullpolicy.IfNotPresent, PullSecrets: tc.secrets})
			pulled := len(rt.takeCalls()) > 1
			assert.Equal(t, tc.pull, pulled, "pulled: %+v %v", res, err)
			if !tc.pull {
				require.NoError(t, err)
				assert.Equal(t, pullpolicy.ReasonPulled, res.Events[0].Reason)
			}
		})
	}
}

// TestEnsureImageWritesKubeletRecords: what the image manager writes is what the kubelet
// writes: a pod's Secret that matched by hash is written back under the key the kubelet uses
// (the pod's "busybox", as written), in the kubelet's bytes.
func TestEnsureImageWritesKubeletRecords(t *testing.T) {
	dir := kubeletRecordsDir(t)
	records, err := cache.NewFileRecords(dir)
	require.NoError(t, err)
	rt := newFakeRuntime()
	rt.preload("busybox", remoteImage{id: "sha256:busybox-id", digest: dg("b"), size: 1})
	m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records})
	require.NoError(t, err)
	secret := dockerSecret("ns-c", "copy", "uid-c", "https://index.docker.io/v1/", "alice", "pw")
	_, err = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "pod"}, Image: "busybox", Policy: pullpolicy.IfNotPresent, PullSecrets: []credential.Secret{secret}})
	require.NoError(t, err)

	data, err := os.ReadFile(filepath.Join(dir, "pulled", kubeletFileName("sha256:busybox-id")))
	require.NoError(t, err)
	hash := credential.Hash(credential.Credential{Username: "alice", Password: "pw"})
	assert.Equal(t, `{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"`+
		strings.Split(strings.Split(string(data), `"lastUpdatedTime":"`)[1], `"`)[0]+
		`","imageRef":"sha256:busybox-id","credentialMapping":{"busybox":{"kubernetesSecrets":[`+
		`{"uid":"uid-a","namespace":"ns-a","name":"regcred","credentialHash":"`+hash+`"},`+
		`{"uid":"uid-c","namespace":"ns-c","name":"copy","credentialHash":"`+hash+`"}]}}}`+"\n", string(data))
}
