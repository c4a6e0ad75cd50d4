package kubelet

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
)

func TestAggregate(t *testing.T) {
	e1, e2, e3 := errors.New("e1"), errors.New("e2"), errors.New("e3")
	tests := []struct {
		name string
		errs []error
		want string
	}{
		{"one", []error{e1}, "e1"},
		{"two", []error{e1, e2}, "[e1, e2]"},
		{"three in order", []error{e3, e1, e2}, "[e3, e1, e2]"},
		{"duplicates dropped", []error{e1, errors.New("e1"), e2, e1}, "[e1, e2]"},
		{"all the same text", []error{e1, errors.New("e1")}, "e1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := aggregate(tc.errs)
			require.EqualError(t, err, tc.want)
			for _, e := range tc.errs {
				assert.ErrorIs(t, err, e)
			}
		})
	}
	t.Run("none", func(t *testing.T) {
		assert.NoError(t, aggregate(nil))
	})
	t.Run("one is returned as is", func(t *testing.T) {
		assert.Same(t, e1, aggregate([]error{e1}))
	})
}

func TestPullEach(t *testing.T) {
	alice := credential.Credential{Username: "alice", Password: "a"}
	bob := credential.Credential{Username: "bob", Password: "b"}
	carol := credential.Credential{Username: "carol", Password: "c"}
	errDenied := errors.New("denied")
	tests := []struct {
		name     string
		creds    []credential.Credential
		accept   string // the user name the registry accepts; "-" accepts the anonymous pull
		fail     map[string]error
		wantTry  []string
		wantUser string // of the result's credential; "" for none
		wantErr  string
	}{
		{name: "anonymous", accept: "-", wantTry: []string{"-"}},
		{name: "anonymous refused, error as it is", accept: "nobody", wantTry: []string{"-"}, wantErr: "401 for -"},
		{name: "first credential", creds: []credential.Credential{alice, bob}, accept: "alice", wantTry: []string{"alice"}, wantUser: "alice"},
		{name: "second credential", creds: []credential.Credential{alice, bob, carol}, accept: "bob", wantTry: []string{"alice", "bob"}, wantUser: "bob"},
		{name: "one credential fails: its error alone", creds: []credential.Credential{alice}, accept: "bob", wantTry: []string{"alice"}, wantErr: "401 for alice"},
		{name: "all fail: aggregated in order", creds: []credential.Credential{alice, bob}, accept: "carol", wantTry: []string{"alice", "bob"}, wantErr: "[401 for alice, 401 for bob]"},
		{name: "same text once", creds: []credential.Credential{alice, bob}, accept: "carol",
			fail: map[string]error{"alice": errDenied, "bob": errDenied}, wantTry: []string{"alice", "bob"}, wantErr: "denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tried []string
			res, err := PullEach(t.Context(), tc.creds, func(_ context.Context, cred *credential.Credential) (PullResult, error) {
				user := "-"
				if cred != nil {
					user = cred.Username
				}
				tried = append(tried, user)
				if user == tc.accept {
					return PullResult{ImageRef: "sha256:1"}, nil
				}
				if e := tc.fail[user]; e != nil {
					return PullResult{}, e
				}
				return PullResult{}, errors.New("401 for " + user)
			})
			assert.Equal(t, tc.wantTry, tried)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				assert.Equal(t, PullResult{}, res)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "sha256:1", res.ImageRef)
			if tc.wantUser == "" {
				assert.Nil(t, res.Credential)
				return
			}
			require.NotNil(t, res.Credential)
			assert.Equal(t, tc.wantUser, res.Credential.Username)
		})
	}
	t.Run("the result's credential is a copy", func(t *testing.T) {
		creds := []credential.Credential{alice}
		res, err := PullEach(t.Context(), creds, func(context.Context, *credential.Credential) (PullResult, error) {
			return PullResult{ImageRef: "sha256:1"}, nil
		})
		require.NoError(t, err)
		creds[0].Username = "changed"
		assert.Equal(t, "alice", res.Credential.Username)
	})
	t.Run("no attempt after the context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var tried int
		_, err := PullEach(ctx, []credential.Credential{alice, bob, carol}, func(ctx context.Context, _ *credential.Credential) (PullResult, error) {
			tried++
			cancel()
			return PullResult{}, ctx.Err()
		})
		assert.Equal(t, 1, tried)
		require.ErrorIs(t, err, context.Canceled)
	})
}
