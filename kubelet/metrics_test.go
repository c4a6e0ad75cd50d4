package kubelet_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

// observed records what a Metrics is told, in order.
type observed struct {
	kubelet.NopMetrics // the methods not recorded
	mu                 sync.Mutex
	ensures            []kubelet.EnsureObservation
	pulls              []kubelet.PullObservation
	checks             []pullmanager.CheckResult
}

func (o *observed) ObserveEnsure(_ context.Context, e kubelet.EnsureObservation) {
	o.mu.Lock()
	o.ensures = append(o.ensures, e)
	o.mu.Unlock()
}

func (o *observed) ObservePull(_ context.Context, p kubelet.PullObservation) {
	o.mu.Lock()
	o.pulls = append(o.pulls, p)
	o.mu.Unlock()
}

func (o *observed) ObserveMustPullCheck(_ context.Context, r pullmanager.CheckResult) {
	o.mu.Lock()
	o.checks = append(o.checks, r)
	o.mu.Unlock()
}

// TestMetricsWithResolver: under Always with a Resolver (beyond the kubelet) the store is
// asked for the registry's digest, so presence becomes known: a present digest needs no pull,
// an absent one is pulled, a resolve failure leaves presence unknown.
func TestMetricsWithResolver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime()
		obs := &observed{}
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Resolver: rt, Metrics: obs})
		require.NoError(t, err)
		pod := kubelet.Pod{Namespace: "ns", Name: "p", UID: "u"}
		for _, image := range []string{"present_image", "missing_image", "unknown_image"} {
			_, _ = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: pod, Image: image, Policy: pullpolicy.Always})
		}
		always := func(present, required kubelet.Answer) kubelet.EnsureObservation {
			return kubelet.EnsureObservation{Policy: pullpolicy.Always, PresentLocally: present, PullRequired: required}
		}
		assert.Equal(t, []kubelet.EnsureObservation{
			always(kubelet.AnswerYes, kubelet.AnswerNo),
			always(kubelet.AnswerNo, kubelet.AnswerYes),
			always(kubelet.AnswerUnknown, kubelet.AnswerYes),
		}, obs.ensures)
		assert.Equal(t, []kubelet.PullObservation{{Outcome: kubelet.PullSucceeded, Duration: 1500 * time.Millisecond, Size: 5678}}, obs.pulls)
		assert.Equal(t, []pullmanager.CheckResult{pullmanager.CheckCredentialPolicyAllowed}, obs.checks)
	})
}

// TestPullObservations: the outcome, reason and duration of failed and cancelled pulls.
func TestPullObservations(t *testing.T) {
	tests := []struct {
		name    string
		pullErr error
		ctx     func(context.Context) context.Context
		want    kubelet.PullObservation
	}{
		{name: "registry unavailable", pullErr: errors.New("RegistryUnavailable: connection refused"),
			want: kubelet.PullObservation{Outcome: kubelet.PullFailed, Reason: pullpolicy.ErrRegistryUnavailable, Duration: 1500 * time.Millisecond}},
		{name: "signature", pullErr: errors.New("SignatureValidationFailed: bad"),
			want: kubelet.PullObservation{Outcome: kubelet.PullFailed, Reason: pullpolicy.ErrSignatureValidationFailed, Duration: 1500 * time.Millisecond}},
		{name: "other", pullErr: errors.New("rpc error: code = NotFound desc = nope"),
			want: kubelet.PullObservation{Outcome: kubelet.PullFailed, Reason: pullpolicy.ErrImagePull, Duration: 1500 * time.Millisecond}},
		{name: "cancelled before its turn", ctx: func(ctx context.Context) context.Context {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return ctx
		}, want: kubelet.PullObservation{Outcome: kubelet.PullCanceled}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := newRuntime()
				rt.pullErr = tc.pullErr
				obs := &observed{}
				m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Metrics: obs})
				require.NoError(t, err)
				ctx := t.Context()
				if tc.ctx != nil {
					ctx = tc.ctx(ctx)
				}
				// The cancelled context is seen when the pull waits for its turn: the store is
				// asked first with it, so use Always, which skips the store.
				_, err = m.EnsureImageExists(ctx, kubelet.Request{Pod: kubelet.Pod{UID: "u"}, Image: "missing_image", Policy: pullpolicy.Always})
				require.Error(t, err)
				assert.Equal(t, []kubelet.PullObservation{tc.want}, obs.pulls)
			})
		})
	}
}

func TestAnswerAndOutcomeStrings(t *testing.T) {
	for a, want := range map[kubelet.Answer]string{kubelet.AnswerUnknown: "unknown", kubelet.AnswerNo: "false", kubelet.AnswerYes: "true", 9: "unknown"} {
		assert.Equal(t, want, a.String())
	}
	for o, want := range map[kubelet.PullOutcome]string{kubelet.PullSucceeded: "Succeeded", kubelet.PullFailed: "Failed",
		kubelet.PullRefusedByQPS: "RefusedByQPS", kubelet.PullCanceled: "Canceled", 0: "PullOutcome(0)", 17: "PullOutcome(17)"} {
		assert.Equal(t, want, o.String())
	}
}
