package pullpolicytest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/pullpolicytest"
	"github.com/imagepull/imagepull/reference"
)

func TestResolver(t *testing.T) {
	d1, d2 := digest.FromString("one"), digest.FromString("two")
	r := pullpolicytest.NewResolver(map[string]string{"nginx": string(d1), "ghcr.io/org/app:v1": string(d2)})
	down := fmt.Errorf("%w: connection refused", pullpolicy.ErrRegistryUnavailable)
	r.Fail("quay.io/x/y:1", down)
	cases := []struct {
		image string
		want  digest.Digest
		err   error // matched with errors.Is; nil: no error
		fails bool
	}{
		{"nginx", d1, nil, false},
		{"docker.io/library/nginx:latest", d1, nil, false},
		{"nginx:1.25", "", nil, true},
		{"ghcr.io/org/app:v1", d2, nil, false},
		{"ghcr.io/org/app@" + string(d2), d2, nil, false},
		{"ghcr.io/org/app:v9@" + string(d2), d2, nil, false},
		{"ghcr.io/org/other@" + string(d2), "", nil, true},
		{"quay.io/x/y:1", "", pullpolicy.ErrRegistryUnavailable, true},
	}
	for _, tc := range cases {
		t.Run(tc.image, func(t *testing.T) {
			got, err := r.Resolve(t.Context(), reference.MustParse(tc.image))
			if !tc.fails {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			require.Error(t, err)
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
			} else {
				assert.False(t, errors.Is(err, pullpolicy.ErrRegistryUnavailable), "an unknown image is not an outage")
			}
		})
	}
	assert.Len(t, r.Asked(), len(cases))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := r.Resolve(ctx, reference.MustParse("nginx"))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Panics(t, func() { pullpolicytest.NewResolver(map[string]string{"nginx": "not-a-digest"}) })
}
