package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
)

// pullSecret is a kubernetes.io/dockerconfigjson Secret with user:password for host.
func pullSecret(t *testing.T, namespace, name, uid, host, user, password string) credential.Secret {
	t.Helper()
	data := dockerConfigJSON(t, host, user, password)
	return credential.Secret{Namespace: namespace, Name: name, UID: uid, Type: "kubernetes.io/dockerconfigjson",
		Data: map[string][]byte{".dockerconfigjson": data}}
}

// writeRecords has the image manager pull images for three pods into a records directory, as
// a kubelet would: a public image (every pod may use it), a private image with a pod's Secret,
// and one with a service account's credentials from a credential provider; then an
// interrupted pull and a corrupt file, as a crash and a disk error leave them.
func writeRecords(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "image_manager")
	records, err := cache.NewFileRecords(dir)
	require.NoError(t, err)
	rt := kubelettest.NewRuntime()
	rt.Private("registry.example/team/app", credential.Credential{Username: "team", Password: "s3cret"})
	rt.Private("registry.example/sa/app", credential.Credential{Username: "robot", Password: "token"})
	provider := credential.ProviderFunc(func(_ context.Context, req credential.ProviderRequest) ([]credential.Credential, error) {
		if req.Repository != "registry.example/sa/app" {
			return nil, nil
		}
		return []credential.Credential{{Username: "robot", Password: "token",
			Source: credential.Source{Kind: credential.SourceServiceAccount, Namespace: "ci", Name: "builder", UID: "sa-uid-1"}}}, nil
	})
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records, CredentialProvider: provider,
		Now: func() time.Time { return now }})
	require.NoError(t, err)
	secret := pullSecret(t, "shop", "team-pull", "secret-uid-1", "registry.example", "team", "s3cret")
	for _, req := range []kubelet.Request{
		{Pod: kubelet.Pod{Namespace: "web", Name: "front", UID: "pod-1"}, Container: "nginx", Image: "nginx:1.25"},
		{Pod: kubelet.Pod{Namespace: "shop", Name: "cart", UID: "pod-2"}, Container: "app", Image: "registry.example/team/app:v1",
			PullSecrets: []credential.Secret{secret}},
		{Pod: kubelet.Pod{Namespace: "ci", Name: "build", UID: "pod-3", ServiceAccount: "builder"}, Container: "app", Image: "registry.example/sa/app:v1"},
	} {
		_, err := m.EnsureImageExists(t.Context(), req)
		require.NoError(t, err, req.Image)
	}
	// The kubelet stops cleanly (FileRecords keeps the files of finished pulls' intents
	// until Close), then a crash interrupts a pull: its intent stays.
	require.NoError(t, records.Close())
	require.NoError(t, records.WritePullIntent("redis:7"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pulled", "sha256-"+
		"00000000000000000000000000000000000000000000000000000000000000ff"), []byte(`{"kind":"ImagePulledRecord",`), 0o600))
	return dir
}

// TestRecords lists a directory the image manager wrote: who may use each image, the
// unfinished pull, the corrupt file; and the directory is left exactly as it was.
func TestRecords(t *testing.T) {
	dir := writeRecords(t)
	before := treeOf(t, dir)
	ph := placeholders{{dir, "RECORDS"}}
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			res := run(t, "records", dir, "-o", format)
			require.Equal(t, exitOK, res.code, "a corrupt file is reported, not fatal: %s", res.stderr)
			assert.Empty(t, res.stderr)
			golden(t, "records."+format, ph.apply(res.stdout))
		})
	}
	assert.Equal(t, before, treeOf(t, dir), "records changed nothing in the directory")
}

// treeOf maps every path under dir to its mode, modification time and content.
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := make(map[string]string)
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := d.Info()
		require.NoError(t, err)
		entry := info.Mode().String() + " " + info.ModTime().String()
		if !d.IsDir() {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			entry += " " + string(data)
		}
		out[path] = entry
		return nil
	}))
	return out
}
