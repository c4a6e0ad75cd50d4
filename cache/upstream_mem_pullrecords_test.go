package cache

// The kubelet's own tests of its in-memory records cache (cachedPullRecordsAccessor, an LRU
// in front of another accessor), translated case by case from k8s.io/kubernetes v1.37.2
// (identical in v1.36.3): pkg/kubelet/images/pullmanager/mem_pullrecords_test.go, onto
// CachedRecords. Like upstream's, these tests set the cache's contents and authoritative flag
// directly, so they live in package cache. Upstream's delegate (testPullRecordsAccessor, a
// map with injectable errors, and recordingPullRecordsAccessor) is a
// pullmanager.MemoryRecords behind upstreamDelegate. Names and expectations are upstream's;
// where upstream uses random numbers in generated names, fixed ones are used.
//
// Counts: 43 table cases translated (49 runs: the two Delete tables run each case with the
// cache authoritative and not, as upstream does), all passing, none left out:
//   - TestNewCachedPullRecordsAccessor (:196): 6
//   - Test_cachedPullRecordsAccessor_ListImagePullIntents (:350): 5
//   - Test_cachedPullRecordsAccessor_ListImagePulledRecords (:449): 3
//   - Test_cachedPullRecordsAccessor_ImagePullIntentExists (:523): 5
//   - Test_cachedPullRecordsAccessor_WriteImagePullIntent (:631): 6
//   - Test_cachedPullRecordsAccessor_WriteImagePulledRecord (:757): 6
//   - Test_cachedPullRecordsAccessor_DeleteImagePullIntent (:925): 3 (×2)
//   - Test_cachedPullRecordsAccessor_DeleteImagePulledRecord (:994): 3 (×2)
//   - Test_cachedPullRecordsAccessor_GetImagePulledRecord (:1063): 6
//
// Three assertions are not expressible, and are left out of the cases that make them:
//   - TestNewCachedPullRecordsAccessor checks that the accessor is wrapped in the metering
//     accessor (the usage metrics); CachedRecords reports usage itself
//     (pullmanager.UsageReporter), pinned by upstream_metrics_test.go in kubelet/metrics.
//   - The Delete tests check that the LRU's deletingKeys map is empty afterwards: CachedRecords
//     removes an entry without going through eviction, so it has no such map; what the map
//     protects (a delete never ends authoritativeness) is checked.
//   - The intent cache holds keys only (the image is the key), so "rewrite cached intent"
//     cannot start from a cached intent whose value names another image; the key's presence
//     is checked.

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// upstreamDelegate is upstream's testPullRecordsAccessor and recordingPullRecordsAccessor
// (mem_pullrecords_test.go:33, :151) over MemoryRecords.
type upstreamDelegate struct {
	mem                          *pullmanager.MemoryRecords
	intentListErr, recordListErr error
	nextGetWriteErr              error
	calls                        []string
}

func newUpstreamDelegate(t *testing.T, intents []string, records []pullmanager.PulledRecord) *upstreamDelegate {
	t.Helper()
	d := &upstreamDelegate{mem: pullmanager.NewMemoryRecords()}
	for _, i := range intents {
		require.NoError(t, d.mem.WritePullIntent(i))
	}
	for _, r := range records {
		require.NoError(t, d.mem.WritePulledRecord(r))
	}
	return d
}

func (d *upstreamDelegate) ListPullIntents() ([]pullmanager.PullIntent, error) {
	d.calls = append(d.calls, "ListImagePullIntents")
	l, _ := d.mem.ListPullIntents()
	return l, d.intentListErr
}

func (d *upstreamDelegate) ListPulledRecords() ([]pullmanager.PulledRecord, error) {
	d.calls = append(d.calls, "ListImagePulledRecords")
	l, _ := d.mem.ListPulledRecords()
	return l, d.recordListErr
}

func (d *upstreamDelegate) PullIntentExists(image string) (bool, error) {
	d.calls = append(d.calls, "ImagePullIntentExists")
	if d.nextGetWriteErr != nil {
		return false, d.nextGetWriteErr
	}
	return d.mem.PullIntentExists(image)
}

func (d *upstreamDelegate) GetPulledRecord(ref string) (pullmanager.PulledRecord, bool, error) {
	d.calls = append(d.calls, "GetImagePulledRecord")
	r, ok, _ := d.mem.GetPulledRecord(ref)
	if d.nextGetWriteErr != nil {
		return pullmanager.PulledRecord{}, ok, d.nextGetWriteErr
	}
	return r, ok, nil
}

func (d *upstreamDelegate) WritePullIntent(image string) error {
	d.calls = append(d.calls, "WriteImagePullIntent")
	if d.nextGetWriteErr != nil {
		return d.nextGetWriteErr
	}
	return d.mem.WritePullIntent(image)
}

func (d *upstreamDelegate) DeletePullIntent(image string) error {
	d.calls = append(d.calls, "DeleteImagePullIntent")
	if d.nextGetWriteErr != nil {
		return d.nextGetWriteErr
	}
	return d.mem.DeletePullIntent(image)
}

func (d *upstreamDelegate) WritePulledRecord(r pullmanager.PulledRecord) error {
	d.calls = append(d.calls, "WriteImagePulledRecord")
	if d.nextGetWriteErr != nil {
		return d.nextGetWriteErr
	}
	return d.mem.WritePulledRecord(r)
}

func (d *upstreamDelegate) DeletePulledRecord(ref string) error {
	d.calls = append(d.calls, "DeleteImagePulledRecord")
	if d.nextGetWriteErr != nil {
		return d.nextGetWriteErr
	}
	return d.mem.DeletePulledRecord(ref)
}

// intents returns the delegate's intents as a set.
func (d *upstreamDelegate) intents(t *testing.T) map[string]struct{} {
	t.Helper()
	l, err := d.mem.ListPullIntents()
	require.NoError(t, err)
	return intentSet(imagesOf(l))
}

// records returns the delegate's records by ImageRef.
func (d *upstreamDelegate) records(t *testing.T) map[string]pullmanager.PulledRecord {
	t.Helper()
	l, err := d.mem.ListPulledRecords()
	require.NoError(t, err)
	return recordMap(l)
}

// upstream's fixtures (mem_pullrecords_test.go:1178-1257).

func testPullIntents() []string {
	return []string{"test.repo/org1/project2:tag", "test.repo/org1/project1:tag", "test.repo/org1/project3:tag", "test.repo/org2/project1:tag"}
}

func testPullIntentsSorted() []pullmanager.PullIntent {
	l := testPullIntents()
	slices.Sort(l)
	out := make([]pullmanager.PullIntent, 0, len(l))
	for _, i := range l {
		out = append(out, pullmanager.PullIntent{Image: i})
	}
	return out
}

// generateTestPullIntents is upstream's, with i*7919%10000 for its random project number.
func generateTestPullIntents(n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, fmt.Sprintf("test.repo/org%d/project%d:tag", i, i*7919%10000))
	}
	return out
}

func nodeWide(repo string) map[string]pullmanager.ImagePullCredentials {
	return map[string]pullmanager.ImagePullCredentials{repo: {NodePodsAccessible: true}}
}

func testPulledRecords() []pullmanager.PulledRecord {
	return []pullmanager.PulledRecord{
		{ImageRef: "ref-87", CredentialMapping: nodeWide("image.some/org1/imagex")},
		{ImageRef: "ref-3", CredentialMapping: nodeWide("image.some/org2/image")},
		{ImageRef: "ref-22", CredentialMapping: map[string]pullmanager.ImagePullCredentials{
			"image.some/org1/image-2": {KubernetesSecrets: []pullmanager.ImagePullSecret{{Namespace: "ns1", Name: "secret1", UID: "uid1", CredentialHash: "somehash"}}}}},
		{ImageRef: "ref-17", CredentialMapping: nodeWide("image.some/org1/image-3")},
		{ImageRef: "ref-009", CredentialMapping: nodeWide("image.some/org3/image")},
	}
}

func testPulledRecordsSorted() []pullmanager.PulledRecord {
	l := testPulledRecords()
	slices.SortFunc(l, func(a, b pullmanager.PulledRecord) int { return compareStrings(a.ImageRef, b.ImageRef) })
	return l
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// generateTestPulledRecords is upstream's, with fixed numbers for its random ones.
func generateTestPulledRecords(n int) []pullmanager.PulledRecord {
	out := make([]pullmanager.PulledRecord, 0, n)
	for i := range n {
		out = append(out, pullmanager.PulledRecord{ImageRef: fmt.Sprintf("ref-%d", i),
			CredentialMapping: nodeWide(fmt.Sprintf("image.some/org%d/image%d", i*31%10000, i*7919%10000))})
	}
	return out
}

func imagesOf(l []pullmanager.PullIntent) []string {
	out := make([]string, 0, len(l))
	for _, i := range l {
		out = append(out, i.Image)
	}
	return out
}

func intentSet(images []string) map[string]struct{} {
	m := make(map[string]struct{}, len(images))
	for _, i := range images {
		m[i] = struct{}{}
	}
	return m
}

func recordMap(l []pullmanager.PulledRecord) map[string]pullmanager.PulledRecord {
	m := make(map[string]pullmanager.PulledRecord, len(l))
	for _, r := range l {
		m[r.ImageRef] = r
	}
	return m
}

func deleteFromStringMap[V any](m map[string]V, key string) map[string]V {
	m = maps.Clone(m)
	delete(m, key)
	return m
}

// listToCache fills a cache of upstream's test size, 100, in order (upstream's mapToCache and
// listToCache, :1275, :1285), with the authoritative flag given.
func listToCache[V any](keys []string, value func(string) V, authoritative bool) *lru[V] {
	c := newLRU[V](100)
	for _, k := range keys {
		c.set(k, value(k))
	}
	c.mu.Lock()
	c.authoritative = authoritative
	c.mu.Unlock()
	return c
}

func intentCache(images []string, authoritative bool) *lru[struct{}] {
	return listToCache(images, func(string) struct{} { return struct{}{} }, authoritative)
}

func recordCache(records []pullmanager.PulledRecord, authoritative bool) *lru[pullmanager.PulledRecord] {
	m := recordMap(records)
	keys := make([]string, 0, len(records))
	for _, r := range records {
		keys = append(keys, r.ImageRef)
	}
	return listToCache(keys, func(k string) pullmanager.PulledRecord { return m[k] }, authoritative)
}

// contents returns what c holds, without touching its order (upstream's cmpRecordsMapAndCache
// compares the length and every entry).
func contents[V any](c *lru[V]) map[string]V {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]V, len(c.byKey))
	for k, e := range c.byKey {
		m[k] = e.Value.(*lruEntry[V]).value
	}
	return m
}

func cachedOver(d *upstreamDelegate, intents *lru[struct{}], records *lru[pullmanager.PulledRecord]) *CachedRecords {
	if intents == nil {
		intents = newLRU[struct{}](100)
	}
	if records == nil {
		records = newLRU[pullmanager.PulledRecord](100)
	}
	return &CachedRecords{next: d, intentLocks: newKeyLocks(), recordLocks: newKeyLocks(), intents: intents, records: records}
}

// assertErr is upstream's cmpErrorStrings: both nil, or the same text.
func assertErr(t *testing.T, want, got error) {
	t.Helper()
	if want == nil {
		assert.NoError(t, got)
		return
	}
	assert.EqualError(t, got, want.Error())
}

// mem_pullrecords_test.go:196 TestNewCachedPullRecordsAccessor.
func TestUpstreamNewCachedPullRecordsAccessor(t *testing.T) {
	manyPullIntents := generateTestPullIntents(51)
	slices.Sort(manyPullIntents)
	manyPulledRecords := generateTestPulledRecords(101)
	slices.SortFunc(manyPulledRecords, func(a, b pullmanager.PulledRecord) int { return compareStrings(a.ImageRef, b.ImageRef) })
	asIntents := func(images []string) []pullmanager.PullIntent {
		out := make([]pullmanager.PullIntent, 0, len(images))
		for _, i := range images {
			out = append(out, pullmanager.PullIntent{Image: i})
		}
		return out
	}

	tests := []struct {
		name                           string
		intents                        []string
		records                        []pullmanager.PulledRecord
		intentsErr, recordsErr         error
		wantIntents                    []pullmanager.PullIntent
		wantIntentsAuthoritative       bool
		wantCacheIntents               []string
		wantPulledRecords              []pullmanager.PulledRecord
		wantPulledRecordsAuthoritative bool
		wantCachePulledRecords         []pullmanager.PulledRecord
	}{
		{name: "no issues during init", intents: testPullIntents(), records: testPulledRecords(),
			wantCacheIntents: testPullIntents(), wantIntents: testPullIntentsSorted(), wantIntentsAuthoritative: true,
			wantPulledRecords: testPulledRecordsSorted(), wantPulledRecordsAuthoritative: true, wantCachePulledRecords: testPulledRecordsSorted()},
		{name: "delegate intents list error", intents: testPullIntents(), records: testPulledRecords(), intentsErr: errors.New("intentsError"),
			wantIntents: testPullIntentsSorted(), wantIntentsAuthoritative: false, wantCacheIntents: testPullIntents(),
			wantPulledRecords: testPulledRecordsSorted(), wantPulledRecordsAuthoritative: true, wantCachePulledRecords: testPulledRecordsSorted()},
		{name: "delegate pulledRecords list error", intents: testPullIntents(), records: testPulledRecords(), recordsErr: errors.New("pulledRecordsError"),
			wantIntents: testPullIntentsSorted(), wantIntentsAuthoritative: true, wantCacheIntents: testPullIntents(),
			wantPulledRecords: testPulledRecordsSorted(), wantPulledRecordsAuthoritative: false, wantCachePulledRecords: testPulledRecordsSorted()},
		{name: "both delegate lists fail during init", intents: testPullIntents(), records: testPulledRecords(),
			recordsErr: errors.New("pulledRecordsError"), intentsErr: errors.New("intentsError"),
			wantIntents: testPullIntentsSorted(), wantIntentsAuthoritative: false, wantCacheIntents: testPullIntents(),
			wantPulledRecords: testPulledRecordsSorted(), wantPulledRecordsAuthoritative: false, wantCachePulledRecords: testPulledRecordsSorted()},
		{name: "too many intents get cropped", intents: manyPullIntents, records: testPulledRecords(),
			wantIntents: asIntents(manyPullIntents), wantIntentsAuthoritative: false, wantCacheIntents: manyPullIntents[:50],
			wantPulledRecords: testPulledRecordsSorted(), wantPulledRecordsAuthoritative: true, wantCachePulledRecords: testPulledRecordsSorted()},
		{name: "too many pulled records get cropped", intents: testPullIntents(), records: manyPulledRecords,
			wantIntents: testPullIntentsSorted(), wantIntentsAuthoritative: true, wantCacheIntents: testPullIntents(),
			wantPulledRecords: manyPulledRecords, wantPulledRecordsAuthoritative: false, wantCachePulledRecords: manyPulledRecords[:100]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newUpstreamDelegate(t, tt.intents, tt.records)
			d.intentListErr, d.recordListErr = tt.intentsErr, tt.recordsErr
			got := NewCachedRecords(d, &CachedRecordsOptions{MaxIntents: 50, MaxRecords: 100})

			assert.Equal(t, intentSet(tt.wantCacheIntents), contents(got.intents), "cached intents")
			gotIntents, intentsErr := got.ListPullIntents()
			assert.Equal(t, tt.wantIntents, gotIntents)
			assertErr(t, tt.intentsErr, intentsErr)
			assert.Equal(t, recordMap(tt.wantCachePulledRecords), contents(got.records), "cached records")
			gotRecords, recordsErr := got.ListPulledRecords()
			assert.Equal(t, tt.wantPulledRecords, gotRecords)
			assertErr(t, tt.recordsErr, recordsErr)
			assert.Equal(t, tt.wantIntentsAuthoritative, got.intents.isAuthoritative(), "intents authoritative")
			assert.Equal(t, tt.wantPulledRecordsAuthoritative, got.records.isAuthoritative(), "records authoritative")
		})
	}
}

// mem_pullrecords_test.go:350 Test_cachedPullRecordsAccessor_ListImagePullIntents.
func TestUpstream_cachedPullRecordsAccessor_ListImagePullIntents(t *testing.T) {
	tests := []struct {
		name                 string
		intents              []string
		listErr              error
		inMemCache           []string
		initAuthoritative    bool
		wantAuthoritative    bool
		wantListIntents      []pullmanager.PullIntent
		wantListIntentsError error
	}{
		{name: "successful intents list from delegate, start authoritative", intents: testPullIntents(),
			inMemCache: []string{"unexpected for this test"}, initAuthoritative: true, wantAuthoritative: true, wantListIntents: testPullIntentsSorted()},
		{name: "successful intents list from delegate, start non-authoritative", intents: testPullIntents(),
			inMemCache: []string{"this would be wrong"}, initAuthoritative: false, wantAuthoritative: true, wantListIntents: testPullIntentsSorted()},
		{name: "partial intents listed from delegate with an error, start authoritative", intents: testPullIntents()[:2],
			listErr: errors.New("only partial list was returned"), inMemCache: []string{"unexpected for this test"},
			initAuthoritative: true, wantAuthoritative: true, wantListIntents: testPullIntentsSorted()[:2],
			wantListIntentsError: errors.New("only partial list was returned")},
		{name: "partial intents listed from delegate with an error, start non-authoritative", intents: testPullIntents(),
			listErr: errors.New("only partial list was returned"), inMemCache: []string{"this would be wrong"},
			initAuthoritative: false, wantAuthoritative: false, wantListIntents: testPullIntentsSorted(),
			wantListIntentsError: errors.New("only partial list was returned")},
		{name: "delegate returns empty list", inMemCache: []string{}, initAuthoritative: true, wantAuthoritative: true,
			wantListIntents: []pullmanager.PullIntent{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newUpstreamDelegate(t, tt.intents, nil)
			d.intentListErr = tt.listErr
			c := cachedOver(d, intentCache(tt.inMemCache, tt.initAuthoritative), nil)
			got, err := c.ListPullIntents()
			assert.Equal(t, tt.wantListIntents, got)
			assertErr(t, tt.wantListIntentsError, err)
			assert.Equal(t, tt.wantAuthoritative, c.intents.isAuthoritative())
		})
	}
}

// mem_pullrecords_test.go:449 Test_cachedPullRecordsAccessor_ListImagePulledRecords.
func TestUpstream_cachedPullRecordsAccessor_ListImagePulledRecords(t *testing.T) {
	tests := []struct {
		name                       string
		records                    []pullmanager.PulledRecord
		listErr                    error
		inMemCache                 []pullmanager.PulledRecord
		initAuthoritative          bool
		wantAuthoritative          bool
		wantListPulledRecords      []pullmanager.PulledRecord
		wantListPulledRecordsError error
	}{
		{name: "initial cache error gets cleared by successful imagePulledRecords list from delegate", records: testPulledRecords(),
			inMemCache: []pullmanager.PulledRecord{{ImageRef: "this would be wrong"}}, initAuthoritative: false, wantAuthoritative: true,
			wantListPulledRecords: testPulledRecordsSorted()},
		{name: "initial cache error, partial imagePulledRecords listed from delegate with an error", records: testPulledRecords(),
			listErr: errors.New("only partial list was returned"), inMemCache: []pullmanager.PulledRecord{{ImageRef: "this would be wrong"}},
			initAuthoritative: false, wantAuthoritative: false, wantListPulledRecords: testPulledRecordsSorted(),
			wantListPulledRecordsError: errors.New("only partial list was returned")},
		{name: "delegate returns empty list", inMemCache: []pullmanager.PulledRecord{{ImageRef: "unexpected for this test"}},
			initAuthoritative: true, wantAuthoritative: true, wantListPulledRecords: []pullmanager.PulledRecord{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newUpstreamDelegate(t, nil, tt.records)
			d.recordListErr = tt.listErr
			c := cachedOver(d, nil, recordCache(tt.inMemCache, tt.initAuthoritative))
			got, err := c.ListPulledRecords()
			assert.Equal(t, tt.wantListPulledRecords, got)
			assertErr(t, tt.wantListPulledRecordsError, err)
			assert.Equal(t, tt.wantAuthoritative, c.records.isAuthoritative())
		})
	}
}

// mem_pullrecords_test.go:523 Test_cachedPullRecordsAccessor_ImagePullIntentExists.
func TestUpstream_cachedPullRecordsAccessor_ImagePullIntentExists(t *testing.T) {
	tests := []struct {
		name              string
		delegateIntents   []string
		nextErr           error
		initialCache      []string
		initAuthoritative bool
		wantAuthoritative bool
		inputImage        string
		want              bool
		wantErr           error
		wantCacheIntents  []string
	}{
		{name: "intent exists in cache", nextErr: errors.New("should not have occurred"),
			initialCache: testPullIntents(), initAuthoritative: true, wantAuthoritative: true,
			inputImage: "test.repo/org1/project1:tag", want: true, wantCacheIntents: testPullIntents()},
		{name: "intent exists in delegate, nonauthoritative cache gets updated", delegateIntents: testPullIntents(),
			initialCache: []string{"test.repo/org1/project3:tag", "test.repo/org2/project1:tag"}, initAuthoritative: false, wantAuthoritative: false,
			inputImage: "test.repo/org1/project1:tag", want: true,
			wantCacheIntents: []string{"test.repo/org1/project3:tag", "test.repo/org2/project1:tag", "test.repo/org1/project1:tag"}},
		{name: "intent exists in delegate, authoritative cache sends not found", delegateIntents: testPullIntents(),
			initialCache: []string{"test.repo/org1/project3:tag", "test.repo/org2/project1:tag"}, initAuthoritative: true, wantAuthoritative: true,
			inputImage: "test.repo/org1/project1:tag", want: false,
			wantCacheIntents: []string{"test.repo/org1/project3:tag", "test.repo/org2/project1:tag"}},
		{name: "intent does not exist in cache or delegate", delegateIntents: testPullIntents(),
			initialCache: testPullIntents(), initAuthoritative: false, wantAuthoritative: false,
			inputImage: "test.repo/org1/doesnotexist:tag", want: false, wantCacheIntents: testPullIntents()},
		{name: "intent does not exist in cache, delegate returns error on GET", delegateIntents: testPullIntents(), nextErr: errors.New("record malformed"),
			initialCache: testPullIntents(), initAuthoritative: false, wantAuthoritative: false,
			inputImage: "test.repo/org1/doesnotexist:tag", want: false, wantErr: errors.New("record malformed"), wantCacheIntents: testPullIntents()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newUpstreamDelegate(t, tt.delegateIntents, nil)
			d.nextGetWriteErr = tt.nextErr
			c := cachedOver(d, intentCache(tt.initialCache, tt.initAuthoritative), nil)
			got, err := c.PullIntentExists(tt.inputImage)
			assertErr(t, tt.wantErr, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, intentSet(tt.wantCacheIntents), contents(c.intents))
			assert.Equal(t, tt.wantAuthoritative, c.intents.isAuthoritative())
		})
	}
}

// mem_pullrecords_test.go:631 Test_cachedPullRecordsAccessor_WriteImagePullIntent.
func TestUpstream_cachedPullRecordsAccessor_WriteImagePullIntent(t *testing.T) {
	justEnoughIntents := generateTestPullIntents(100)
	tests := []struct {
		name                string
		nextErr             error
		initialCache        []string
		initAuthoritative   bool
		wantAuthoritative   bool
		inputImage          string
		wantErr             error
		wantCacheIntents    []string
		wantRecordedMethods []string
	}{
		{name: "successful write through an empty cache to delegate", initialCache: nil, initAuthoritative: true, wantAuthoritative: true,
			inputImage: "test.repo/org1/project1:tag", wantCacheIntents: []string{"test.repo/org1/project1:tag"}, wantRecordedMethods: []string{"WriteImagePullIntent"}},
		// Upstream caches {Image: "something else"} under the key; the intent cache holds
		// keys only here (see the header).
		{name: "rewrite cached intent, write through to delegate", initialCache: []string{"test.repo/org1/project1:tag"},
			initAuthoritative: false, wantAuthoritative: false, inputImage: "test.repo/org1/project1:tag",
			wantCacheIntents: []string{"test.repo/org1/project1:tag"}, wantRecordedMethods: []string{"WriteImagePullIntent"}},
		{name: "write even though the very same intent is already in the cache", initialCache: []string{"test.repo/org1/project1:tag"},
			inputImage: "test.repo/org1/project1:tag", wantCacheIntents: []string{"test.repo/org1/project1:tag"}, wantRecordedMethods: []string{"WriteImagePullIntent"}},
		{name: "write to delegate returns error", nextErr: errors.New("write error"), inputImage: "test.repo/org1/project1:tag",
			wantCacheIntents: []string{}, wantErr: errors.New("write error"), wantRecordedMethods: []string{"WriteImagePullIntent"}},
		{name: "write to cache that's already populated", initialCache: testPullIntents(), inputImage: "test.repo/org1/newimage:tag",
			wantCacheIntents: append(testPullIntents(), "test.repo/org1/newimage:tag"), wantRecordedMethods: []string{"WriteImagePullIntent"}},
		{name: "exceeding the cache size turns it from authoritative to non-authoritative", initialCache: justEnoughIntents,
			initAuthoritative: true, wantAuthoritative: false, inputImage: "new.repo/neworg/newimage:tag",
			wantCacheIntents:    append(slices.Clone(justEnoughIntents[1:]), "new.repo/neworg/newimage:tag"),
			wantRecordedMethods: []string{"WriteImagePullIntent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newUpstreamDelegate(t, nil, nil)
			d.nextGetWriteErr = tt.nextErr
			c := cachedOver(d, intentCache(tt.initialCache, tt.initAuthoritative), nil)
			assertErr(t, tt.wantErr, c.WritePullIntent(tt.inputImage))
			assert.Equal(t, intentSet(tt.wantCacheIntents), contents(c.intents))
			assert.Equal(t, tt.wantRecordedMethods, d.calls)
			assert.Equal(t, tt.wantAuthoritative, c.intents.isAuthoritative())
		})
	}
}

// mem_pullrecords_test.go:757 Test_cachedPullRecordsAccessor_WriteImagePulledRecord.
func TestUpstream_cachedPullRecordsAccessor_WriteImagePulledRecord(t *testing.T) {
	justEnoughPulledRecords := generateTestPulledRecords(100)
	twoRepos := pullmanager.PulledRecord{ImageRef: "someref-1", CredentialMapping: map[string]pullmanager.ImagePullCredentials{
		"test.repo/org1/project1": {NodePodsAccessible: true},
		"test.repo/org2/project1": {KubernetesSecrets: []pullmanager.ImagePullSecret{{Namespace: "ns1", Name: "secret1", UID: "uid1", CredentialHash: "somehash"}}},
	}}
	tests := []struct {
		name                   string
		nextErr                error
		initialCache           []pullmanager.PulledRecord
		initAuthoritative      bool
		wantAuthoritative      bool
		inputRecord            pullmanager.PulledRecord
		wantErr                error
		wantCachePulledRecords []pullmanager.PulledRecord
		wantRecordedMethods    []string
	}{
		{name: "successful write through an empty cache to delegate", inputRecord: pullmanager.PulledRecord{ImageRef: "someref-1"},
			initAuthoritative: true, wantAuthoritative: true, wantCachePulledRecords: []pullmanager.PulledRecord{{ImageRef: "someref-1"}},
			wantRecordedMethods: []string{"WriteImagePulledRecord"}},
		{name: "rewrite cached pulled record, write through to delegate",
			initialCache: []pullmanager.PulledRecord{{ImageRef: "someref-1", CredentialMapping: nodeWide("test.repo/org1/project1")}},
			inputRecord:  twoRepos, initAuthoritative: false, wantAuthoritative: false,
			wantCachePulledRecords: []pullmanager.PulledRecord{twoRepos}, wantRecordedMethods: []string{"WriteImagePulledRecord"}},
		{name: "write even though the same pulled record is already in the cache", initialCache: []pullmanager.PulledRecord{{ImageRef: "someref-1"}},
			inputRecord: pullmanager.PulledRecord{ImageRef: "someref-1"}, wantCachePulledRecords: []pullmanager.PulledRecord{{ImageRef: "someref-1"}},
			wantRecordedMethods: []string{"WriteImagePulledRecord"}},
		{name: "write to delegate returns error", nextErr: errors.New("write error"), inputRecord: pullmanager.PulledRecord{ImageRef: "someref-1"},
			wantCachePulledRecords: []pullmanager.PulledRecord{}, wantErr: errors.New("write error"), wantRecordedMethods: []string{"WriteImagePulledRecord"}},
		{name: "write to cache that's already populated", initialCache: testPulledRecords(), inputRecord: pullmanager.PulledRecord{ImageRef: "newref"},
			wantCachePulledRecords: append(testPulledRecords(), pullmanager.PulledRecord{ImageRef: "newref"}), wantRecordedMethods: []string{"WriteImagePulledRecord"}},
		{name: "exceeding the cache size turns it from authoritative to non-authoritative", initialCache: justEnoughPulledRecords,
			initAuthoritative: true, wantAuthoritative: false, inputRecord: pullmanager.PulledRecord{ImageRef: "newref"},
			wantCachePulledRecords: append(slices.Clone(justEnoughPulledRecords[1:]), pullmanager.PulledRecord{ImageRef: "newref"}),
			wantRecordedMethods:    []string{"WriteImagePulledRecord"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newUpstreamDelegate(t, nil, nil)
			d.nextGetWriteErr = tt.nextErr
			c := cachedOver(d, nil, recordCache(tt.initialCache, tt.initAuthoritative))
			assertErr(t, tt.wantErr, c.WritePulledRecord(tt.inputRecord))
			assert.Equal(t, recordMap(tt.wantCachePulledRecords), contents(c.records))
			assert.Equal(t, tt.wantRecordedMethods, d.calls)
			assert.Equal(t, tt.wantAuthoritative, c.records.isAuthoritative())
		})
	}
}

// mem_pullrecords_test.go:925 Test_cachedPullRecordsAccessor_DeleteImagePullIntent.
func TestUpstream_cachedPullRecordsAccessor_DeleteImagePullIntent(t *testing.T) {
	tests := []struct {
		name        string
		nextErr     error
		inputImage  string
		wantErr     error
		wantIntents map[string]struct{}
	}{
		{name: "delete an existing intent from the cache", inputImage: "test.repo/org1/project1:tag",
			wantIntents: deleteFromStringMap(intentSet(testPullIntents()), "test.repo/org1/project1:tag")},
		{name: "attempt to delete a non-existent intent from the cache", inputImage: "test.repo/org1/doesnotexist:tag",
			wantIntents: intentSet(testPullIntents())},
		{name: "error deleting an intent from delegate", nextErr: errors.New("error deleting intent"), inputImage: "test.repo/org1/project1:tag",
			wantIntents: intentSet(testPullIntents()), wantErr: errors.New("error deleting intent")},
	}
	for _, tt := range tests {
		for _, initAuthoritative := range []bool{true, false} {
			tt.name += fmt.Sprintf(", authoritative=%v", initAuthoritative) // upstream's names accumulate, as here
			t.Run(tt.name, func(t *testing.T) {
				d := newUpstreamDelegate(t, testPullIntents(), nil)
				d.nextGetWriteErr = tt.nextErr
				c := cachedOver(d, intentCache(testPullIntents(), initAuthoritative), nil)
				assertErr(t, tt.wantErr, c.DeletePullIntent(tt.inputImage))
				assert.Equal(t, tt.wantIntents, contents(c.intents), "cache")
				assert.Equal(t, tt.wantIntents, d.intents(t), "delegate")
				assert.Equal(t, initAuthoritative, c.intents.isAuthoritative(), "a delete never changes authoritativeness")
			})
		}
	}
}

// mem_pullrecords_test.go:994 Test_cachedPullRecordsAccessor_DeleteImagePulledRecord.
func TestUpstream_cachedPullRecordsAccessor_DeleteImagePulledRecord(t *testing.T) {
	tests := []struct {
		name              string
		nextErr           error
		imageRef          string
		wantErr           error
		wantPulledRecords map[string]pullmanager.PulledRecord
	}{
		{name: "delete an existing pulled record from the cache", imageRef: "ref-22",
			wantPulledRecords: deleteFromStringMap(recordMap(testPulledRecords()), "ref-22")},
		{name: "attempt to delete a non-existent imagePulledRecord from the cache", imageRef: "non-existent-ref",
			wantPulledRecords: recordMap(testPulledRecords())},
		{name: "error deleting an imagePulledRecord from delegate", nextErr: errors.New("error deleting imagePulledRecord"), imageRef: "ref-22",
			wantPulledRecords: recordMap(testPulledRecords()), wantErr: errors.New("error deleting imagePulledRecord")},
	}
	for _, tt := range tests {
		for _, initAuthoritative := range []bool{true, false} {
			tt.name += fmt.Sprintf(", authoritative=%v", initAuthoritative) // upstream's names accumulate, as here
			t.Run(tt.name, func(t *testing.T) {
				d := newUpstreamDelegate(t, nil, testPulledRecords())
				d.nextGetWriteErr = tt.nextErr
				c := cachedOver(d, nil, recordCache(testPulledRecords(), initAuthoritative))
				assertErr(t, tt.wantErr, c.DeletePulledRecord(tt.imageRef))
				assert.Equal(t, tt.wantPulledRecords, contents(c.records), "cache")
				assert.Equal(t, tt.wantPulledRecords, d.records(t), "delegate")
				assert.Equal(t, initAuthoritative, c.records.isAuthoritative(), "a delete never changes authoritativeness")
			})
		}
	}
}

// mem_pullrecords_test.go:1063 Test_cachedPullRecordsAccessor_GetImagePulledRecord.
func TestUpstream_cachedPullRecordsAccessor_GetImagePulledRecord(t *testing.T) {
	all := recordMap(testPulledRecords())
	tests := []struct {
		name                   string
		delegateRecords        []pullmanager.PulledRecord
		nextErr                error
		cachedPulledRecords    []pullmanager.PulledRecord
		initAuthoritative      bool
		wantAuthoritative      bool
		imageRef               string
		wantPulledRecord       pullmanager.PulledRecord // the zero record for upstream's nil
		wantExists             bool
		wantErr                error
		wantCachePulledRecords map[string]pullmanager.PulledRecord
	}{
		{name: "pulled record exists in cache", cachedPulledRecords: testPulledRecords(), initAuthoritative: true, wantAuthoritative: true,
			imageRef: "ref-009", wantPulledRecord: all["ref-009"], wantExists: true, wantCachePulledRecords: all},
		{name: "pulled record exists in delegate, nonauthoritative cache gets updated", delegateRecords: testPulledRecords(),
			cachedPulledRecords: withoutRef(testPulledRecords(), "ref-22"), initAuthoritative: false, wantAuthoritative: false,
			imageRef: "ref-22", wantPulledRecord: all["ref-22"], wantExists: true, wantCachePulledRecords: all},
		{name: "pulled record exists in delegate, authoritative cache return not found", delegateRecords: testPulledRecords(),
			cachedPulledRecords: withoutRef(testPulledRecords(), "ref-22"), initAuthoritative: true, wantAuthoritative: true,
			imageRef: "ref-22", wantExists: false, wantCachePulledRecords: deleteFromStringMap(all, "ref-22")},
		{name: "pulled record does not exist", cachedPulledRecords: withoutRef(testPulledRecords(), "ref-87"),
			initAuthoritative: false, wantAuthoritative: false, imageRef: "ref-87", wantExists: false, wantCachePulledRecords: deleteFromStringMap(all, "ref-87")},
		{name: "pulled record not cached and not in delegate, delegate returns error on read", nextErr: errors.New("error reading pulled record"),
			imageRef: "doesnotexist", wantExists: false, wantErr: errors.New("error reading pulled record"),
			wantCachePulledRecords: map[string]pullmanager.PulledRecord{}},
		{name: "pulled record not cached, exists in delegate, delegate returns error", delegateRecords: testPulledRecords(),
			nextErr: errors.New("error reading pulled record"), imageRef: "ref-3", wantExists: true, wantErr: errors.New("error reading pulled record"),
			wantCachePulledRecords: map[string]pullmanager.PulledRecord{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newUpstreamDelegate(t, nil, tt.delegateRecords)
			d.nextGetWriteErr = tt.nextErr
			c := cachedOver(d, nil, recordCache(tt.cachedPulledRecords, tt.initAuthoritative))
			got, exists, err := c.GetPulledRecord(tt.imageRef)
			assertErr(t, tt.wantErr, err)
			assert.Equal(t, tt.wantPulledRecord, got)
			assert.Equal(t, tt.wantExists, exists)
			assert.Equal(t, tt.wantCachePulledRecords, contents(c.records))
			assert.Equal(t, tt.wantAuthoritative, c.records.isAuthoritative())
		})
	}
}

func withoutRef(l []pullmanager.PulledRecord, ref string) []pullmanager.PulledRecord {
	return slices.DeleteFunc(l, func(r pullmanager.PulledRecord) bool { return r.ImageRef == ref })
}
