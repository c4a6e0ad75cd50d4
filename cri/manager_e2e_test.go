package cri_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"path"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// These tests run the kubelet's EnsureImageExists (kubelet.ImageManager) end to end: containerd
// over CRI is the Store and the Puller, registry/registrytest is the registry, and the pull
// records are real files. Time is a manual clock, so that back-off windows and the durations
// in "Successfully pulled" messages do not depend on the machine.

// manualClock is a clock that moves only when told to.
type manualClock struct {
	mu sync.Mutex // protects t
	t  time.Time
}

func newManualClock() *manualClock {
	return &manualClock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// countingPuller counts the runtime pulls that go through it and remembers the image strings
// pulled.
type countingPuller struct {
	next kubelet.Puller

	mu     sync.Mutex // protects images
	images []string
}

func (p *countingPuller) PullImage(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
	p.mu.Lock()
	p.images = append(p.images, req.Image)
	p.mu.Unlock()
	return p.next.PullImage(ctx, req)
}

func (p *countingPuller) pulled() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.images)
}

// newManager returns a Manager over containerd (c) as Store and, unless cfg has one, Puller,
// with the clock clk and, unless cfg has them, pull records in files under a new test
// directory.
func newManager(t *testing.T, c *cri.Client, clk *manualClock, cfg kubelet.Config) *kubelet.ImageManager {
	t.Helper()
	cfg.Store, cfg.Now = c, clk.Now
	if cfg.Puller == nil {
		cfg.Puller = c
	}
	if cfg.Records == nil {
		cfg.Records = fileRecords(t, t.TempDir())
	}
	m, err := kubelet.NewImageManager(cfg)
	require.NoError(t, err)
	return m
}

func fileRecords(t *testing.T, dir string) *cache.FileRecords {
	t.Helper()
	records, err := cache.NewFileRecords(dir)
	require.NoError(t, err)
	return records
}

// pulledEvents are the events of a successful pull under a clock that did not move.
func pulledEvents(image string, size int64) []kubelet.Event {
	return []kubelet.Event{
		{FieldPath: appField, Type: kubelet.EventTypeNormal, Reason: pullpolicy.ReasonPulling, Message: `Pulling image "` + image + `"`},
		{FieldPath: appField, Type: kubelet.EventTypeNormal, Reason: pullpolicy.ReasonPulled, Message: fmt.Sprintf(
			`Successfully pulled image "%s" in 0s (0s including waiting). Image size: %d bytes.`, image, size)},
	}
}

// sizeOf returns the size containerd reports for image.
func sizeOf(ctx context.Context, t *testing.T, c *cri.Client, image string) int64 {
	t.Helper()
	img, ok, err := c.Lookup(ctx, mustParse(t, image))
	require.NoError(t, err)
	require.True(t, ok, "%s is present", image)
	return img.Size
}

var podA = kubelet.Pod{Namespace: "team-a", Name: "app", UID: "uid-a"}

// TestManagerAlwaysUnchangedTag: under Always the kubelet pulls on every start; containerd
// pulls an unchanged tag again with one manifest HEAD and nothing else.
func TestManagerAlwaysUnchangedTag(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})
	push(ctx, t, r, "app:v1")
	image := ref(r, "app:v1")
	records := fileRecords(t, t.TempDir())
	m := newManager(t, c, newManualClock(), kubelet.Config{Records: records})
	req := kubelet.Request{Pod: podA, Container: "app", Image: image, Policy: pullpolicy.Always}

	first, err := m.EnsureImageExists(ctx, req)
	require.NoError(t, err)
	require.NotEmpty(t, first.ImageRef)
	require.Empty(t, first.Message, "a fresh pull returns no message")
	size := sizeOf(ctx, t, c, image)
	require.Equal(t, pulledEvents(image, size), first.Events)
	require.Equal(t, 1, r.Count("HEAD", "/v2/app/manifests/v1"))
	require.Equal(t, 1, r.Count("GET", "/v2/app/manifests/sha256:"), "the manifest, by digest")
	require.Equal(t, 1, r.Count("GET", "/v2/app/blobs/"+first.ImageRef), "the config, whose digest is the image ID")
	require.Equal(t, 2, r.Count("GET", "/v2/app/blobs/"), "the config and the one layer")
	require.Equal(t, 4, r.Count("", ""), "nothing else")

	r.ResetCounts()
	second, err := m.EnsureImageExists(ctx, req)
	require.NoError(t, err)
	require.Equal(t, first.ImageRef, second.ImageRef)
	require.Equal(t, pulledEvents(image, size), second.Events, "Always pulls again")
	require.Equal(t, map[registrytest.Key]int{{Method: "HEAD", Path: "/v2/app/manifests/v1"}: 1}, r.Counts(),
		"containerd resolves the tag with one HEAD and downloads neither manifest nor blob again")

	rec, ok, err := records.GetPulledRecord(first.ImageRef)
	require.NoError(t, err)
	require.True(t, ok, "the pull is recorded on disk")
	require.Equal(t, map[string]pullmanager.ImagePullCredentials{r.Host() + "/app": {NodePodsAccessible: true}},
		rec.CredentialMapping, "an anonymous pull opens the image to every pod")
}

// TestManagerAlwaysResolver: with the Manager's Resolver (beyond the kubelet), Always asks
// the registry for the digest and starts the local image when the digest is unchanged,
// without a runtime pull; a moved tag is pulled by digest.
func TestManagerAlwaysResolver(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})
	first := push(ctx, t, r, "app:v1")
	image := ref(r, "app:v1")
	resolver, err := registry.NewResolver(&registry.Options{PlainHTTP: []string{"127.0.0.1"}, MaxRetries: -1})
	require.NoError(t, err)
	t.Cleanup(resolver.CloseIdleConnections)
	puller := &countingPuller{next: c}
	m := newManager(t, c, newManualClock(), kubelet.Config{Puller: puller, Resolver: resolver})
	req := kubelet.Request{Pod: podA, Container: "app", Image: image, Policy: pullpolicy.Always}

	// Absent: the digest the registry names is pulled, not the tag; the events name the
	// pod's image.
	pinned := ref(r, "app@"+first.String())
	res, err := m.EnsureImageExists(ctx, req)
	require.NoError(t, err)
	require.Equal(t, []string{pinned}, puller.pulled())
	require.Equal(t, pulledEvents(image, sizeOf(ctx, t, c, pinned)), res.Events)
	require.Equal(t, 1, r.Count("HEAD", "/v2/app/manifests/v1"), "the resolver's HEAD")
	require.Equal(t, 1, r.Count("HEAD", "/v2/app/manifests/"+first.String()), "containerd resolves the digest")
	require.Equal(t, 1, r.Count("GET", "/v2/app/manifests/"+first.String()))
	require.Equal(t, 1, r.Count("GET", "/v2/app/blobs/"+res.ImageRef), "the config, whose digest is the image ID")
	require.Equal(t, 2, r.Count("GET", "/v2/app/blobs/"), "the config and the one layer")
	require.Equal(t, 5, r.Count("", ""), "nothing else")

	// Unchanged: one HEAD by the resolver, no runtime pull.
	r.ResetCounts()
	again, err := m.EnsureImageExists(ctx, req)
	require.NoError(t, err)
	require.Equal(t, res.ImageRef, again.ImageRef)
	require.Equal(t, []string{pinned}, puller.pulled(), "no runtime pull for an unchanged digest")
	present := `Container image "` + image + `" already present on machine (registry digest ` + first.String() +
		`) and can be accessed by the pod`
	require.Equal(t, present, again.Message)
	require.Equal(t, []kubelet.Event{{FieldPath: appField, Type: kubelet.EventTypeNormal, Reason: pullpolicy.ReasonPulled, Message: present}}, again.Events)
	require.Equal(t, map[registrytest.Key]int{{Method: "HEAD", Path: "/v2/app/manifests/v1"}: 1}, r.Counts())

	// Moved: the new digest is pulled.
	moved := push(ctx, t, r, "app:v1")
	res, err = m.EnsureImageExists(ctx, req)
	require.NoError(t, err)
	movedRef := ref(r, "app@"+moved.String())
	require.Equal(t, []string{pinned, movedRef}, puller.pulled())
	require.NotEqual(t, again.ImageRef, res.ImageRef)
	require.Equal(t, pulledEvents(image, sizeOf(ctx, t, c, movedRef)), res.Events)
}

// TestManagerNeverAbsent: Never with an absent image fails without asking the registry.
func TestManagerNeverAbsent(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})
	push(ctx, t, r, "app:v1")
	image := ref(r, "app:v1")
	m := newManager(t, c, newManualClock(), kubelet.Config{})

	res, err := m.EnsureImageExists(ctx, kubelet.Request{Pod: podA, Container: "app", Image: image, Policy: pullpolicy.Never})
	require.ErrorIs(t, err, pullpolicy.ErrImageNeverPull)
	require.Equal(t, "ErrImageNeverPull", waitingReason(t, err))
	msg := `Container image "` + image + `" is not present with pull policy of Never`
	require.Equal(t, msg, res.Message)
	require.Empty(t, res.ImageRef)
	require.Equal(t, []kubelet.Event{{FieldPath: appField, Type: kubelet.EventTypeWarning, Reason: pullpolicy.ReasonNeverPull, Message: msg}}, res.Events)
	require.Empty(t, r.Counts(), "Never does not ask the registry")
}

// TestManagerRegistryDown: containerd's error for a stopped registry is ErrImagePull with
// containerd's text; the next start within the back-off is refused without a pull; another pod
// pulls at once; after the back-off, with the registry back, the pull succeeds.
func TestManagerRegistryDown(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})
	push(ctx, t, r, "app:v1")
	image := ref(r, "app:v1")
	clk := newManualClock()
	m := newManager(t, c, clk, kubelet.Config{})
	req := kubelet.Request{Pod: podA, Container: "app", Image: image, Policy: pullpolicy.IfNotPresent}
	r.Stop()

	refused := `failed to pull and unpack image "` + image + `": failed to resolve reference "` + image +
		`": failed to do request: Head "http://` + r.Host() + `/v2/app/manifests/v1": dial tcp ` + r.Host() +
		`: connect: connection refused`
	res, err := m.EnsureImageExists(ctx, req)
	require.ErrorIs(t, err, pullpolicy.ErrImagePull)
	require.Equal(t, "ErrImagePull", waitingReason(t, err))
	require.Equal(t, refused, res.Message)
	require.Equal(t, []kubelet.Event{
		{FieldPath: appField, Type: kubelet.EventTypeNormal, Reason: pullpolicy.ReasonPulling, Message: `Pulling image "` + image + `"`},
		{FieldPath: appField, Type: kubelet.EventTypeWarning, Reason: pullpolicy.ReasonFailed, Message: `Failed to pull image "` + image + `": ` + refused},
	}, res.Events)

	clk.advance(9 * time.Second)
	res, err = m.EnsureImageExists(ctx, req)
	require.ErrorIs(t, err, pullpolicy.ErrImagePullBackOff)
	require.Equal(t, "ImagePullBackOff", waitingReason(t, err))
	require.Equal(t, `Back-off pulling image "`+image+`": ErrImagePull: `+refused, res.Message)
	require.Equal(t, []kubelet.Event{
		{FieldPath: appField, Type: kubelet.EventTypeNormal, Reason: pullpolicy.ReasonBackOff, Message: `Back-off pulling image "` + image + `"`},
	}, res.Events)

	require.NoError(t, r.Restart())
	other := req
	other.Pod = kubelet.Pod{Namespace: "team-a", Name: "other", UID: "uid-other"}
	res, err = m.EnsureImageExists(ctx, other)
	require.NoError(t, err, "the back-off is per pod")
	require.Equal(t, pulledEvents(image, sizeOf(ctx, t, c, image)), res.Events)
	require.NoError(t, c.RemoveImage(ctx, res.ImageRef), "removed, so that the first pod pulls once its back-off is over")

	clk.advance(2 * time.Second) // 11 s after the failure: the 10 s back-off is over
	res, err = m.EnsureImageExists(ctx, req)
	require.NoError(t, err)
	require.Equal(t, pulledEvents(image, sizeOf(ctx, t, c, image)), res.Events)
}

// TestManagerEnsureSecretPulledImages is KEP-2535 on a real runtime: a pod with the pull Secret
// pulls a private image; a pod without it must pull too and is refused by the registry, though
// the image is on the node; the first pod, and a pod with a copy of the Secret, use the image
// without a pull. The records are files: a new Manager on the same directory (a kubelet
// restart) decides the same.
func TestManagerEnsureSecretPulledImages(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "alice", Password: "s3cret"})
	push(ctx, t, r, "team/app:v1")
	image := ref(r, "team/app:v1")
	dir := t.TempDir()
	clk := newManualClock()
	m := newManager(t, c, clk, kubelet.Config{Records: fileRecords(t, dir)})

	// What `kubectl create secret docker-registry` writes: username, password and auth.
	dockerConfig := fmt.Sprintf(`{"auths":{%q:{"username":"alice","password":"s3cret","auth":%q}}}`,
		r.Host(), base64.StdEncoding.EncodeToString([]byte("alice:s3cret")))
	secret := func(namespace, name, uid string) credential.Secret {
		return credential.Secret{
			Namespace: namespace, Name: name, UID: uid, Type: credential.SecretTypeDockerConfigJSON,
			Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(dockerConfig)},
		}
	}
	withSecret := kubelet.Request{Pod: podA, Container: "app", Image: image, Policy: pullpolicy.IfNotPresent,
		PullSecrets: []credential.Secret{secret("team-a", "regcred", "secret-a")}}
	withoutSecret := kubelet.Request{Pod: kubelet.Pod{Namespace: "team-b", Name: "app", UID: "uid-b"},
		Container: "app", Image: image, Policy: pullpolicy.IfNotPresent}
	withCopy := kubelet.Request{Pod: kubelet.Pod{Namespace: "team-c", Name: "app", UID: "uid-c"},
		Container: "app", Image: image, Policy: pullpolicy.IfNotPresent,
		PullSecrets: []credential.Secret{secret("team-c", "copied", "secret-c")}}

	// The keyring hands containerd what the kubelet's does: username and password, no server
	// address (containerd 1.6 would parse a bare "127.0.0.1:PORT" as a URL and fail).
	ring, err := credential.FromSecrets(withSecret.PullSecrets)
	require.NoError(t, err)
	creds := ring.Lookup(r.Host() + "/team/app")
	require.Len(t, creds, 1)
	require.Equal(t, []string{"alice", "s3cret", "", ""}, []string{creds[0].Username, creds[0].Password, creds[0].Auth, creds[0].ServerAddress})

	res, err := m.EnsureImageExists(ctx, withSecret)
	require.NoError(t, err)
	require.Equal(t, pulledEvents(image, sizeOf(ctx, t, c, image)), res.Events)
	imageRef := res.ImageRef
	// containerd 1.6 asks without credentials first and answers the Basic challenge with the
	// Secret's: for the tag's HEAD and again for the manifest's GET.
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	var seen []string
	for _, q := range r.Requests() {
		kind := path.Base(path.Dir(q.Path)) // "manifests" or "blobs"
		seen = append(seen, q.Method+" "+kind+" "+strconv.FormatBool(q.Authorization == basic))
		require.Contains(t, []string{"", basic}, q.Authorization)
	}
	require.Equal(t, []string{
		"HEAD manifests false", "HEAD manifests true",
		"GET manifests false", "GET manifests true",
		"GET blobs true", "GET blobs true",
	}, seen)
	rec, ok, err := fileRecords(t, dir).GetPulledRecord(imageRef)
	require.NoError(t, err)
	require.True(t, ok, "the pull is recorded on disk")
	require.Equal(t, map[string]pullmanager.ImagePullCredentials{r.Host() + "/team/app": {KubernetesSecrets: []pullmanager.ImagePullSecret{
		{UID: "secret-a", Namespace: "team-a", Name: "regcred", CredentialHash: creds[0].Hash},
	}}}, rec.CredentialMapping)

	unauthorized := `failed to pull and unpack image "` + image + `": failed to resolve reference "` + image +
		`": pulling from host ` + r.Host() + ` failed with status code [manifests v1]: 401 Unauthorized`
	r.ResetCounts()
	res, err = m.EnsureImageExists(ctx, withoutSecret)
	require.ErrorIs(t, err, pullpolicy.ErrImagePull)
	require.Equal(t, "ErrImagePull", waitingReason(t, err))
	require.Equal(t, unauthorized, res.Message)
	require.Equal(t, []kubelet.Event{
		{FieldPath: appField, Type: kubelet.EventTypeNormal, Reason: pullpolicy.ReasonPulling, Message: `Pulling image "` + image + `"`},
		{FieldPath: appField, Type: kubelet.EventTypeWarning, Reason: pullpolicy.ReasonFailed, Message: `Failed to pull image "` + image + `": ` + unauthorized},
	}, res.Events)
	require.Equal(t, map[registrytest.Key]int{{Method: "HEAD", Path: "/v2/team/app/manifests/v1"}: 1}, r.Counts(),
		"the pod without the Secret is sent to the registry, which refuses it")

	accessible := `Container image "` + image + `" already present on machine and can be accessed by the pod`
	usesLocal := func(t *testing.T, m *kubelet.ImageManager, req kubelet.Request) {
		t.Helper()
		r.ResetCounts()
		res, err := m.EnsureImageExists(ctx, req)
		require.NoError(t, err)
		require.Equal(t, imageRef, res.ImageRef)
		require.Equal(t, accessible, res.Message)
		require.Equal(t, []kubelet.Event{{FieldPath: appField, Type: kubelet.EventTypeNormal, Reason: pullpolicy.ReasonPulled, Message: accessible}}, res.Events)
		require.Empty(t, r.Counts(), "no registry request")
	}
	usesLocal(t, m, withSecret)
	usesLocal(t, m, withCopy) // same credentials, another Secret: accepted by hash

	// A kubelet restart: the records on disk still tell the pods apart.
	restarted := newManager(t, c, clk, kubelet.Config{Records: fileRecords(t, dir)})
	usesLocal(t, restarted, withSecret)
	never := withoutSecret
	never.Policy = pullpolicy.Never
	res, err = restarted.EnsureImageExists(ctx, never)
	require.ErrorIs(t, err, pullpolicy.ErrImageNeverPull, "an image the pod may not use is reported as not present")
	require.Equal(t, `Container image "`+image+`" is not present with pull policy of Never`, res.Message)
}

// appField is the field path of the events about the container "app" of these tests' pods.
const appField = "spec.containers{app}"

// waitingReason returns the container's waiting reason that err carries.
func waitingReason(t *testing.T, err error) string {
	t.Helper()
	var ee *kubelet.EnsureError
	require.ErrorAs(t, err, &ee)
	return ee.WaitingReason()
}
