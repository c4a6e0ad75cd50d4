package pullpolicytest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/pullpolicytest"
	"github.com/imagepull/imagepull/reference"
)

func TestKinds(t *testing.T) {
	_, neverErr := pullpolicy.Decide(context.Background(), pullpolicy.Never, reference.MustParse("nginx"), pullpolicy.StoreFunc(func(context.Context, reference.Image) (pullpolicy.LocalImage, bool, error) {
		return pullpolicy.LocalImage{}, false, nil
	}), nil)
	cases := []struct {
		name string
		err  error
		want []error
	}{
		{"nil", nil, nil},
		{"unrelated", errors.New("x"), nil},
		{"decide-never", neverErr, []error{pullpolicy.ErrImageNeverPull}},
		{"wrapped-twice", fmt.Errorf("%w and %w", pullpolicy.ErrImagePull, pullpolicy.ErrRegistryUnavailable),
			[]error{pullpolicy.ErrImagePull, pullpolicy.ErrRegistryUnavailable}},
		{"misuse", fmt.Errorf("x: %w", pullpolicy.ErrMisuse), []error{pullpolicy.ErrMisuse}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, pullpolicytest.Kinds(tc.err))
		})
	}
}
