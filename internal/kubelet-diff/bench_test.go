package kubeletdiff

import (
	"fmt"
	"sync"
	"testing"
)

// Side by side in one process: the kubelet's pull manager (v1.37.2) and this library's, over
// their file records in a temporary directory, with and without their in-memory caches
// (the kubelet's NewCachedPullRecordsAccessor, sized as kuberuntime_manager.go:343-349 sizes it
// for 110 pods; cache.CachedRecords with the same sizes). Each benchmark has a kubelet and an
// ours sub-benchmark; BENCHMARKS.md has the command and the figures.

type benchSide struct {
	name string
	open func(root string, cfg config, cached bool) (side, error)
}

var benchSides = []benchSide{
	{"kubelet", func(root string, cfg config, cached bool) (side, error) {
		return openKubeletWith(root, cfg, nil, cached)
	}},
	{"ours", func(root string, cfg config, cached bool) (side, error) { return openOursWith(root, cfg, nil, cached) }},
}

var alwaysVerify = config{policy: "AlwaysVerify"}

func openBench(b *testing.B, s benchSide, cached bool) side {
	b.Helper()
	sd, err := s.open(b.TempDir(), alwaysVerify, cached)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sd.shutdown(true) })
	return sd
}

var benchCreds = &creds{secrets: []secret{secret1}}

// BenchmarkAlwaysCycle is one pull under imagePullPolicy Always with credential verification on
// and file records, as the image manager drives it: RecordPullIntent (the intent file written),
// the pull, RecordImagePulled (the record read and merged, the intent file removed).
// record-unchanged pulls the same image with the same Secret every time (the record is read
// and left alone); record-written alternates the Secret's hash (a rotated Secret), so that the
// record is rewritten every time while the directory keeps one record and no intent (the
// kubelet's metering wrapper counts the files after every write).
func BenchmarkAlwaysCycle(b *testing.B) {
	const image = "docker.io/library/busybox:1.36"
	for _, s := range benchSides {
		b.Run(s.name+"/record-unchanged", func(b *testing.B) {
			sd := openBench(b, s, false)
			cycleOnce(b, sd, image, ref0)
			b.ReportAllocs()
			for b.Loop() {
				cycleOnce(b, sd, image, ref0)
			}
		})
		b.Run(s.name+"/record-written", func(b *testing.B) {
			sd := openBench(b, s, false)
			cycleOnce(b, sd, image, ref0)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				c := benchCreds
				if i%2 == 1 {
					c = benchCredsRotated
				}
				cycleWith(b, sd, image, ref0, c)
			}
		})
	}
}

var benchCredsRotated = &creds{secrets: []secret{secret1Rotated}}

func cycleOnce(b *testing.B, sd side, image, ref string) { cycleWith(b, sd, image, ref, benchCreds) }

func cycleWith(b *testing.B, sd side, image, ref string, c *creds) {
	if err := sd.intent(image); err != nil {
		b.Fatal(err)
	}
	sd.pulled(image, ref, c)
}

// BenchmarkSecretVerifiedPresent is a must-pull check of a present image whose record names the
// pod's Secret (the answer: no pull), over file records without a cache: every check reads and
// decodes the record file.
func BenchmarkSecretVerifiedPresent(b *testing.B) {
	benchVerified(b, false)
}

// BenchmarkSecretVerifiedPresentCached is BenchmarkSecretVerifiedPresent with the caches in
// front of the files, as the kubelet runs.
func BenchmarkSecretVerifiedPresentCached(b *testing.B) {
	benchVerified(b, true)
}

func benchVerified(b *testing.B, cached bool) {
	const image = "docker.io/library/busybox:1.36"
	pod := podCreds{secrets: []secret{secret1}}
	for _, s := range benchSides {
		b.Run(s.name, func(b *testing.B) {
			sd := openBench(b, s, cached)
			cycleOnce(b, sd, image, ref0)
			b.ReportAllocs()
			for b.Loop() {
				if must, err := sd.must(image, ref0, pod); must || err != nil {
					b.Fatalf("must pull %t, %v", must, err)
				}
			}
		})
	}
}

// BenchmarkConcurrentPods1000x10 is a wave of 1,000 pods checked at once against 10 present
// images, each pod with the Secret its image's record names, cached records (the kubelet's
// configuration); one op is the whole wave.
func BenchmarkConcurrentPods1000x10(b *testing.B) {
	const pods, images = 1000, 10
	for _, s := range benchSides {
		b.Run(s.name, func(b *testing.B) {
			sd := openBench(b, s, true)
			names := make([]string, images)
			refs := make([]string, images)
			pcs := make([]podCreds, images)
			for i := range images {
				names[i] = fmt.Sprintf("registry.example.com/team/app-%d:v1", i)
				refs[i] = fmt.Sprintf("sha256:%064x", i+1)
				sec := secret{uid: fmt.Sprintf("uid-%d", i), ns: "ns", name: fmt.Sprintf("pull-%d", i), hash: fmt.Sprintf("hash-%d", i)}
				pcs[i] = podCreds{secrets: []secret{sec}}
				if err := sd.intent(names[i]); err != nil {
					b.Fatal(err)
				}
				sd.pulled(names[i], refs[i], &creds{secrets: []secret{sec}})
			}
			b.ReportAllocs()
			for b.Loop() {
				var wg sync.WaitGroup
				errs := make(chan error, pods)
				for p := range pods {
					i := p % images
					wg.Go(func() {
						if must, err := sd.must(names[i], refs[i], pcs[i]); must || err != nil {
							errs <- fmt.Errorf("pod %d: must pull %t, %v", p, must, err)
						}
					})
				}
				wg.Wait()
				close(errs)
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
