package logbuf_test

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/imagepull/imagepull/internal/logbuf"
)

func TestConcurrentWriters(t *testing.T) {
	tests := []struct {
		writers, lines int
	}{{1, 1}, {4, 100}, {16, 50}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.writers, tt.lines), func(t *testing.T) {
			var b logbuf.Buffer
			log := slog.New(slog.NewTextHandler(&b, nil))
			var wg sync.WaitGroup
			for w := range tt.writers {
				wg.Go(func() {
					for i := range tt.lines {
						log.Info("line", "writer", w, "i", i)
					}
				})
			}
			wg.Wait()
			got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			assert.Len(t, got, tt.writers*tt.lines, "no line lost or torn")
			for _, l := range got {
				assert.Contains(t, l, "msg=line writer=")
			}
		})
	}
}

func ExampleBuffer() {
	var b logbuf.Buffer
	fmt.Fprint(&b, "one ")
	fmt.Fprint(&b, "two")
	fmt.Println(b.String())
	// Output: one two
}
