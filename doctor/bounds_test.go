package doctor

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/reference"
)

// TestPerRegistryConcurrency: at most PerRegistry calls are in flight to one registry, while
// another registry is asked beside them.
func TestPerRegistryConcurrency(t *testing.T) {
	var objects []runtime.Object
	for i := range 12 {
		objects = append(objects, newPod(fmt.Sprintf("a%02d", i), fmt.Sprintf("reg.example.com/app:v%d", i), waiting("ErrImagePull", "")))
		objects = append(objects, newPod(fmt.Sprintf("b%02d", i), fmt.Sprintf("other.example.com/app:v%d", i), waiting("ErrImagePull", "")))
	}
	objects = append(objects, node("node-1"))
	var (
		mu       sync.Mutex
		inflight = map[string]int{}
		most     = map[string]int{}
	)
	// Each call holds its slot until a third call to its registry arrives (which the bound
	// must prevent) or a while has passed: the wait only lets a broken bound show, it is not
	// what is checked.
	prober := ProberFunc(func(ctx context.Context, img reference.Image, _ *credential.Credential) ProbeResult {
		h := img.Domain()
		mu.Lock()
		inflight[h]++
		most[h] = max(most[h], inflight[h])
		mu.Unlock()
		for range 50 {
			mu.Lock()
			n := inflight[h]
			mu.Unlock()
			if n > 2 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		mu.Lock()
		inflight[h]--
		mu.Unlock()
		return ProbeResult{Kind: ProbeOK}
	})
	_, err := New(fake.NewClientset(objects...), &Options{Prober: prober, PerRegistry: 2, Workers: 16}).Diagnose(context.Background(), Target{Namespace: ns})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"reg.example.com": 2, "other.example.com": 2}, most)
}

// TestProbeTimeout: every registry call gets a deadline of ProbeTimeout at most.
func TestProbeTimeout(t *testing.T) {
	var deadlines atomic.Int64
	prober := ProberFunc(func(ctx context.Context, _ reference.Image, _ *credential.Credential) ProbeResult {
		d, ok := ctx.Deadline()
		if ok && time.Until(d) <= time.Minute {
			deadlines.Add(1)
		}
		return ProbeResult{Kind: ProbeOK}
	})
	client := fake.NewClientset(newPod("p", img, waiting("ErrImagePull", "")), node("node-1"))
	_, err := New(client, &Options{Prober: prober, ProbeTimeout: time.Minute}).Diagnose(context.Background(), Target{Kind: "pod", Name: "p", Namespace: ns})
	require.NoError(t, err)
	assert.Equal(t, int64(1), deadlines.Load())
}

// TestProgress: Progress is told of every pod, with the total.
func TestProgress(t *testing.T) {
	var objects []runtime.Object
	for i := range 5 {
		objects = append(objects, newPod(fmt.Sprintf("p%d", i), img, waiting("ErrImagePull", "")))
	}
	var mu sync.Mutex
	var seen []int
	opts := &Options{Prober: &fakeProber{}, Progress: func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 5, total)
		seen = append(seen, done)
	}}
	_, err := New(fake.NewClientset(objects...), opts).Diagnose(context.Background(), Target{AllNamespaces: true})
	require.NoError(t, err)
	assert.ElementsMatch(t, []int{1, 2, 3, 4, 5}, seen)
}

// BenchmarkDiagnoseAllNamespaces: -A over 1,000 pods waiting on their images, each its own
// tag on one of 4 registries, through the fake clientset and a prober that answers at once:
// the cost of doctor itself, without the network.
func BenchmarkDiagnoseAllNamespaces(b *testing.B) {
	var objects []runtime.Object
	for i := range 1000 {
		objects = append(objects, newPod(fmt.Sprintf("p%04d", i), fmt.Sprintf("reg%d.example.com/app:v%d", i%4, i), withSecrets("regcred"), waiting("ErrImagePull", "")))
	}
	objects = append(objects, node("node-1"), dockerSecret("regcred", "bot", "PASS", "reg0.example.com", "reg1.example.com"), serviceAccount("default"))
	client := fake.NewClientset(objects...)
	prober := ProberFunc(func(context.Context, reference.Image, *credential.Credential) ProbeResult {
		return ProbeResult{Kind: ProbeNotFound, Tags: []string{"v1"}}
	})
	b.ReportAllocs()
	for b.Loop() {
		rep, err := New(client, &Options{Prober: prober}).Diagnose(context.Background(), Target{AllNamespaces: true})
		if err != nil || len(rep.Pods) != 1000 {
			b.Fatal(err, len(rep.Pods))
		}
	}
}
