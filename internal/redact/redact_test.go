package redact

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetString(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("alice:s3cr=t/+pw"))
	var s Set
	s.AddBasic("alice", "s3cr=t/+pw")
	s.Add("tok.en-123")
	for name, tc := range map[string]struct{ in, want string }{
		"nothing to redact":     {"401 Unauthorized", "401 Unauthorized"},
		"password":              {"bad password s3cr=t/+pw!", "bad password [redacted]!"},
		"basic header":          {"Authorization: Basic " + basic, "Authorization: Basic [redacted]"},
		"basic header unpadded": {"auth=" + strings.TrimRight(basic, "=") + ";", "auth=[redacted];"},
		"query escaped":         {"password=" + url.QueryEscape("s3cr=t/+pw") + "&x", "password=[redacted]&x"},
		"token":                 {"Bearer tok.en-123 rejected", "Bearer [redacted] rejected"},
		"base64 token":          {"echo " + base64.StdEncoding.EncodeToString([]byte("tok.en-123")), "echo [redacted]"},
		"user name is kept":     {"user alice denied", "user alice denied"},
		"twice":                 {"s3cr=t/+pw s3cr=t/+pw", "[redacted] [redacted]"},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, s.String(tc.in))
		})
	}
}

func TestSetLongestFirst(t *testing.T) {
	var s Set
	s.Add("pw")
	s.Add("a-pw-token")
	assert.Equal(t, "x [redacted] y [redacted]", s.String("x a-pw-token y pw"))
}

func TestSetAddAuthorization(t *testing.T) {
	var s Set
	s.AddAuthorization("Basic " + base64.StdEncoding.EncodeToString([]byte("bob:hunter2")))
	s.AddAuthorization("Bearer eyJhbGciOi.abc")
	assert.Equal(t, "[redacted] [redacted] [redacted]", s.String("hunter2 eyJhbGciOi.abc "+base64.StdEncoding.EncodeToString([]byte("bob:hunter2"))))
	assert.Equal(t, "bob", s.String("bob"))

	var unpadded Set
	unpadded.AddAuthorization("Basic " + base64.RawStdEncoding.EncodeToString([]byte("carol:pw12345")))
	assert.Equal(t, "carol [redacted]", unpadded.String("carol pw12345"))
}

func TestSetEmpty(t *testing.T) {
	var s Set
	s.Add("")
	s.AddBasic("", "")
	assert.True(t, s.Empty())
	assert.Equal(t, "anything", s.String("anything"))
	var nilSet *Set
	assert.True(t, nilSet.Empty())
	err := errors.New("x")
	assert.Same(t, err, s.Error(err))
}

func TestSetError(t *testing.T) {
	var s Set
	s.Add("hunter2")
	cause := fmt.Errorf("registry said hunter2: %w", context.Canceled)
	err := s.Error(cause, context.Canceled, context.DeadlineExceeded)
	require.EqualError(t, err, "registry said [redacted]: context canceled")
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	plain := errors.New("no secret here")
	assert.Same(t, plain, s.Error(plain), "an error without a secret is kept as it is")
	assert.NoError(t, s.Error(nil))
}

func TestSetMerge(t *testing.T) {
	var a, b Set
	a.Add("one1")
	b.Add("two2")
	a.Merge(&b)
	a.Merge(nil)
	assert.Equal(t, "[redacted] [redacted]", a.String("one1 two2"))
}

func TestSetMaxLen(t *testing.T) {
	var s Set
	assert.Zero(t, s.MaxLen())
	s.Add("abc")
	assert.Equal(t, len(base64.URLEncoding.EncodeToString([]byte("abc"))), s.MaxLen())
	var nilSet *Set
	assert.Zero(t, nilSet.MaxLen())
}
