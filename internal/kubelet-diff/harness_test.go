package kubeletdiff

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

// opKind is what one step does.
type opKind byte

const (
	opIntent  opKind = iota // RecordPullIntent(image)
	opPulled                // RecordImagePulled(image, ref, creds)
	opFailed                // RecordImagePullFailed(image)
	opMust                  // MustAttemptImagePull(image, ref, pod credentials)
	opCycle                 // a successful pull: RecordPullIntent then RecordImagePulled
	opRestart               // stop both (cleanly or not), start again with a policy and images
	opPrune                 // PruneUnknownRecords(refs, until)
	opMust2                 // MustAttemptImagePull again: checks are most of the kubelet's calls
	opKinds
)

// opSize is the encoded size of an op: its kind and three arguments.
const opSize = 4

// maxOps bounds a sequence, so that one fuzz input stays cheap.
const maxOps = 64

// op is one step. a, b and c index the tables; their meaning depends on kind (see String).
type op struct {
	kind    opKind
	a, b, c byte
}

// restart's arguments: a's bit 0 is a clean stop, bits 1-2 the policy, bit 3 swaps the two
// directories (each side opens the one the other wrote); b is the allowlist; c's bits 0-2 choose
// the runtime's images.
func (o op) clean() bool         { return o.a&1 == 1 }
func (o op) policy() string      { return policyTable[int(o.a>>1)%len(policyTable)] }
func (o op) swap() bool          { return o.a&8 != 0 }
func (o op) allowlist() []string { return allowlistTable[int(o.b)%len(allowlistTable)] }
func (o op) images() []nodeImage {
	var out []nodeImage
	for i, img := range nodeImageTable {
		if o.c&(1<<i) != 0 {
			out = append(out, img)
		}
	}
	return out
}

func (o op) image() string           { return imageTable[int(o.a)%len(imageTable)] }
func (o op) ref() string             { return refTable[int(o.b)%len(refTable)] }
func (o op) creds() namedCreds       { return credsTable[int(o.c)%len(credsTable)] }
func (o op) podCreds() namedPodCreds { return podCredsTable[int(o.c)%len(podCredsTable)] }

// pruneRefs are the image IDs that prune keeps (a's bits over refTable's IDs); until is far in
// the future when b is odd (every other record is pruned) and far in the past otherwise
// (nothing is), so that the answer never depends on the wall clock.
func (o op) pruneRefs() []string {
	var out []string
	for i, r := range refTable[:3] {
		if o.a&(1<<i) != 0 {
			out = append(out, r)
		}
	}
	return out
}

func (o op) pruneUntil() time.Time {
	if o.b&1 == 1 {
		return time.Now().Add(24 * time.Hour)
	}
	return time.Unix(0, 0)
}

func (o op) String() string {
	switch o.kind % opKinds {
	case opIntent:
		return fmt.Sprintf("intent(%q)", o.image())
	case opPulled:
		return fmt.Sprintf("pulled(%q, %s, %s)", o.image(), refName(o.ref()), o.creds().name)
	case opFailed:
		return fmt.Sprintf("failed(%q)", o.image())
	case opMust, opMust2:
		return fmt.Sprintf("must(%q, %s, pod %s)", o.image(), refName(o.ref()), o.podCreds().name)
	case opCycle:
		return fmt.Sprintf("cycle(%q, %s, %s)", o.image(), refName(o.ref()), o.creds().name)
	case opRestart:
		var ids []string
		for _, img := range o.images() {
			ids = append(ids, refName(img.id))
		}
		return fmt.Sprintf("restart(clean=%t, swap=%t, %s, allowlist %q, images %v)", o.clean(), o.swap(), o.policy(), o.allowlist(), ids)
	case opPrune:
		var ids []string
		for _, r := range o.pruneRefs() {
			ids = append(ids, refName(r))
		}
		return fmt.Sprintf("prune(keep %v, until future=%t)", ids, o.b&1 == 1)
	}
	panic("unreachable")
}

func refName(r string) string {
	switch r {
	case ref0:
		return "ref0"
	case ref1:
		return "ref1"
	case ref2:
		return "ref2"
	}
	return `""`
}

// sequence is a decoded fuzz input: the configuration both sides start with and the steps.
type sequence struct {
	policy    byte // index into policyTable
	allowlist byte // index into allowlistTable
	ops       []op
}

// decode reads a sequence: two header bytes (policy, allowlist), then 4 bytes per op. A short
// tail is dropped; past maxOps the rest is ignored.
func decode(data []byte) sequence {
	var s sequence
	if len(data) >= 2 {
		s.policy, s.allowlist = data[0], data[1]
		data = data[2:]
	}
	for len(data) >= opSize && len(s.ops) < maxOps {
		s.ops = append(s.ops, op{kind: opKind(data[0]) % opKinds, a: data[1], b: data[2], c: data[3]})
		data = data[opSize:]
	}
	return s
}

// encode is decode's inverse, for the named scenarios that make up the seed corpus.
func (s sequence) encode() []byte {
	out := []byte{s.policy, s.allowlist}
	for _, o := range s.ops {
		out = append(out, byte(o.kind), o.a, o.b, o.c)
	}
	return out
}

func (s sequence) config() config {
	return config{policy: policyTable[int(s.policy)%len(policyTable)], allowlist: allowlistTable[int(s.allowlist)%len(allowlistTable)]}
}

// fallbackConfig is what both sides start with when both refuse a configuration (an invalid
// allowlist): the kubelet's default policy.
var fallbackConfig = config{policy: "NeverVerifyPreloadedImages"}

// pair runs the two sides side by side over two kubelet root directories.
type pair struct {
	roots   [2]string // [0] the kubelet's, [1] ours
	sides   [2]side
	opens   [2]opener
	history []string
	inodes  [2]map[string]uint64 // pulled/ file → inode after the previous step
}

// newPair starts both sides with cfg over fresh directories under dir.
func newPair(dir string, cfg config, kubelet, ours opener) (*pair, error) {
	return newPairAt([2]string{filepath.Join(dir, "kubelet"), filepath.Join(dir, "ours")}, cfg, nil, kubelet, ours)
}

// newPairAt starts the kubelet's side over roots[0] and ours over roots[1], which may hold
// records already, with the runtime's images for the startup recovery.
func newPairAt(roots [2]string, cfg config, images []nodeImage, kubelet, ours opener) (*pair, error) {
	p := &pair{roots: roots, opens: [2]opener{kubelet, ours}}
	p.history = append(p.history, fmt.Sprintf("start(%s, allowlist %q, %d images)", cfg.policy, cfg.allowlist, len(images)))
	if err := p.start(cfg, images); err != nil {
		return nil, err
	}
	if err := p.compareDirs(); err != nil {
		return nil, err
	}
	return p, nil
}

// differ returns the difference found at the last step, with the steps that led to it.
func (p *pair) differ(format string, args ...any) error {
	var b strings.Builder
	fmt.Fprintf(&b, "difference: "+format+"\nsteps:", args...)
	for i, h := range p.history {
		fmt.Fprintf(&b, "\n  %2d %s", i, h)
	}
	return errors.New(b.String())
}

// start opens both sides. When both refuse cfg, both start with fallbackConfig instead; when
// only one refuses, that is a difference.
func (p *pair) start(cfg config, images []nodeImage) error {
	var errs [2]error
	for i := range p.sides {
		p.sides[i], errs[i] = p.opens[i](p.roots[i], cfg, images)
	}
	switch {
	case (errs[0] == nil) != (errs[1] == nil):
		return p.differ("starting with %s and allowlist %q: kubelet error %v, ours %v", cfg.policy, cfg.allowlist, errs[0], errs[1])
	case errs[0] != nil:
		p.history = append(p.history, fmt.Sprintf("  (both refused the configuration: %v; started with %s)", errs[0], fallbackConfig.policy))
		return p.start(fallbackConfig, images)
	}
	return nil
}

// step runs o on both sides and compares their answers and directories.
func (p *pair) step(o op) error {
	p.history = append(p.history, o.String())
	switch o.kind % opKinds {
	case opIntent:
		e0, e1 := p.sides[0].intent(o.image()), p.sides[1].intent(o.image())
		if (e0 == nil) != (e1 == nil) {
			return p.differ("RecordPullIntent: kubelet error %v, ours %v", e0, e1)
		}
	case opPulled:
		for _, s := range p.sides {
			s.pulled(o.image(), o.ref(), o.creds().c)
		}
	case opFailed:
		for _, s := range p.sides {
			s.failed(o.image())
		}
	case opMust, opMust2:
		m0, e0 := p.sides[0].must(o.image(), o.ref(), o.podCreds().pc)
		m1, e1 := p.sides[1].must(o.image(), o.ref(), o.podCreds().pc)
		if m0 != m1 || (e0 == nil) != (e1 == nil) {
			return p.differ("MustAttemptImagePull: kubelet (%t, %v), ours (%t, %v)", m0, e0, m1, e1)
		}
	case opCycle:
		e0, e1 := p.sides[0].intent(o.image()), p.sides[1].intent(o.image())
		if (e0 == nil) != (e1 == nil) {
			return p.differ("RecordPullIntent: kubelet error %v, ours %v", e0, e1)
		}
		for _, s := range p.sides {
			s.pulled(o.image(), o.ref(), o.creds().c)
		}
	case opRestart:
		for _, s := range p.sides {
			if err := s.shutdown(o.clean()); err != nil {
				return p.differ("shutdown: %v", err)
			}
		}
		if o.swap() {
			p.roots[0], p.roots[1] = p.roots[1], p.roots[0]
			p.inodes[0], p.inodes[1] = p.inodes[1], p.inodes[0]
		}
		if err := p.start(config{policy: o.policy(), allowlist: o.allowlist()}, o.images()); err != nil {
			return err
		}
	case opPrune:
		for _, s := range p.sides {
			s.prune(o.pruneRefs(), o.pruneUntil())
		}
	}
	return p.compareDirs()
}

// run starts a pair for s under dir and runs its steps, stopping at the first difference.
func run(dir string, s sequence, kubelet, ours opener) error {
	p, err := newPair(dir, s.config(), kubelet, ours)
	if err != nil {
		return err
	}
	for _, o := range s.ops {
		if err := p.step(o); err != nil {
			return err
		}
	}
	return nil
}

// lastUpdatedTime is the one field that comes from the wall clock: the kubelet takes
// time.Now() itself (image_pull_manager.go:136, :478, :494, :514) and cannot be given a clock,
// so both sides run on the real clock and the field is normalised before the bytes are
// compared. That a record was rewritten at all (its time changed) is compared separately, by
// the file's inode: both sides write by renaming a new file over the old one.
var lastUpdatedTime = regexp.MustCompile(`"lastUpdatedTime":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"`)

type fileState struct {
	mode  fs.FileMode
	data  []byte
	inode uint64
}

// snapshot reads every entry under root/image_manager: relative path → state.
func snapshot(root string) (map[string]fileState, error) {
	base := filepath.Join(root, "image_manager")
	out := make(map[string]fileState)
	err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(base, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		st := fileState{mode: info.Mode()}
		if sys, ok := info.Sys().(*syscall.Stat_t); ok {
			st.inode = sys.Ino
		}
		if d.Type().IsRegular() {
			if st.data, err = os.ReadFile(path); err != nil {
				return err
			}
			st.data = lastUpdatedTime.ReplaceAll(st.data, []byte(`"lastUpdatedTime":"<normalised>"`))
		}
		out[rel] = st
		return nil
	})
	return out, err
}

// compareDirs compares the two directories: the same entries, modes and bytes, and the same
// records rewritten since the previous step.
func (p *pair) compareDirs() error {
	var snaps [2]map[string]fileState
	for i, root := range p.roots {
		var err error
		if snaps[i], err = snapshot(root); err != nil {
			return p.differ("reading %s: %v", root, err)
		}
	}
	names := func(m map[string]fileState) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	n0, n1 := names(snaps[0]), names(snaps[1])
	if !slices.Equal(n0, n1) {
		return p.differ("directory entries: kubelet %v, ours %v", n0, n1)
	}
	var rewritten [2][]string
	for i := range snaps {
		inodes := make(map[string]uint64)
		for _, name := range n0 {
			st := snaps[i][name]
			if !strings.HasPrefix(name, "pulled"+string(filepath.Separator)) {
				continue
			}
			inodes[name] = st.inode
			if old, ok := p.inodes[i][name]; !ok || old != st.inode {
				rewritten[i] = append(rewritten[i], name)
			}
		}
		p.inodes[i] = inodes
	}
	for _, name := range n0 {
		a, b := snaps[0][name], snaps[1][name]
		if a.mode != b.mode {
			return p.differ("%s: mode kubelet %v, ours %v", name, a.mode, b.mode)
		}
		if !bytes.Equal(a.data, b.data) {
			return p.differ("%s: content\nkubelet: %s\nours:    %s", name, a.data, b.data)
		}
	}
	if !slices.Equal(rewritten[0], rewritten[1]) {
		return p.differ("records rewritten by this step: kubelet %v, ours %v", rewritten[0], rewritten[1])
	}
	return nil
}
