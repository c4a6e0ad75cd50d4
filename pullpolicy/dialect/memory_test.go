package dialect_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/pullpolicy/dialect"
)

func TestMemoryPulls(t *testing.T) {
	var m dialect.MemoryPulls // the zero value is ready
	ok, err := m.Pulled(t.Context(), "nginx")
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, m.RecordPull(t.Context(), "nginx"))
	ok, err = m.Pulled(t.Context(), "nginx")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = m.Pulled(t.Context(), "nginx:latest")
	require.NoError(t, err)
	assert.False(t, ok, "names are matched as written, as the ECS agent does")
	m.Forget("nginx")
	assert.Zero(t, m.Len())

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = m.Pulled(ctx, "nginx")
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, m.RecordPull(ctx, "nginx"), context.Canceled)
	assert.Zero(t, m.Len(), "nothing recorded under a cancelled context")
}

func TestMemoryPullsConcurrent(t *testing.T) {
	var m dialect.MemoryPulls
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			name := fmt.Sprintf("app-%d", i%8)
			assert.NoError(t, m.RecordPull(t.Context(), name))
			ok, err := m.Pulled(t.Context(), name)
			assert.NoError(t, err)
			assert.True(t, ok)
		})
	}
	wg.Wait()
	assert.Equal(t, 8, m.Len())
}
