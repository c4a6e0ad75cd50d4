package cri

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestCallError(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	plain := errors.New("not a status")
	tests := []struct {
		name         string
		ctx          context.Context
		err          error
		stripUnknown bool   // PullImage
		want         string // the text
		wantCode     codes.Code
		wantCtxErr   error // errors.Is target, or nil
	}{
		{"pull Unknown is unwrapped", t.Context(), status.Error(codes.Unknown, "RegistryUnavailable: dial tcp: connection refused"), true,
			"RegistryUnavailable: dial tcp: connection refused", codes.Unknown, nil},
		{"pull Unknown signature", t.Context(), status.Error(codes.Unknown, "SignatureValidationFailed: no policy"), true,
			"SignatureValidationFailed: no policy", codes.Unknown, nil},
		{"pull NotFound is kept", t.Context(), status.Error(codes.NotFound, "RegistryUnavailable: x"), true,
			"rpc error: code = NotFound desc = RegistryUnavailable: x", codes.NotFound, nil},
		{"pull Unavailable is kept", t.Context(), status.Error(codes.Unavailable, "connection refused"), true,
			"rpc error: code = Unavailable desc = connection refused", codes.Unavailable, nil},
		{"status Unknown is kept", t.Context(), status.Error(codes.Unknown, "boom"), false,
			"rpc error: code = Unknown desc = boom", codes.Unknown, nil},
		{"cancelled call", cancelled, status.Error(codes.Canceled, "context canceled"), true,
			"rpc error: code = Canceled desc = context canceled", codes.Canceled, context.Canceled},
		{"Canceled from the runtime, context alive", t.Context(), status.Error(codes.Canceled, "runtime gave up"), true,
			"rpc error: code = Canceled desc = runtime gave up", codes.Canceled, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := callError(tc.ctx, tc.err, tc.stripUnknown)
			require.EqualError(t, err, tc.want)
			st, ok := status.FromError(err)
			require.True(t, ok, "the gRPC status stays reachable")
			assert.Equal(t, tc.wantCode, st.Code())
			if tc.wantCtxErr != nil {
				assert.ErrorIs(t, err, tc.wantCtxErr)
			} else {
				assert.NotErrorIs(t, err, context.Canceled)
				assert.NotErrorIs(t, err, context.DeadlineExceeded)
			}
		})
	}
	t.Run("not a status", func(t *testing.T) {
		assert.Same(t, plain, callError(t.Context(), plain, true))
	})
}
