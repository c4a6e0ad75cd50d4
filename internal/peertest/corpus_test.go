package peertest_test

import (
	"math/rand/v2"
	"strings"
)

// corpus returns seeds, each seed again with its letters' case changed at random, and n random
// strings over alphabet, all from a fixed seed so that failures reproduce.
func corpus(seeds []string, alphabet string, n int) []string {
	rng := rand.New(rand.NewPCG(14, 14))
	out := append([]string(nil), seeds...)
	for _, s := range seeds {
		b := []byte(s)
		for i := range b {
			if rng.IntN(2) == 0 {
				b[i] = byte(strings.ToUpper(string(b[i]))[0])
			}
		}
		out = append(out, string(b))
	}
	for range n {
		b := make([]byte, rng.IntN(14))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		out = append(out, string(b))
	}
	return out
}
