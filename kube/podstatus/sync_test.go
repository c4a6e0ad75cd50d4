package podstatus_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/kube/podstatus"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

func TestPlan(t *testing.T) {
	t.Parallel()
	twoInit := []corev1.Container{ctr("init1", "i1"), sidecar("side", "s1"), ctr("init2", "i2")}
	main := []corev1.Container{ctr("b", "b1"), ctr("a", "a1")}
	tests := []struct {
		name    string
		pod     *corev1.Pod
		started podstatus.Started
		want    []string
	}{
		{"no init: every container, spec order", pod(nil, main), nil, []string{"Container/b", "Container/a"}},
		{"new pod with init: the first init container only", pod(twoInit, main), nil, []string{"InitContainer/init1"}},
		{"init1 done: the sidecar", pod(twoInit, main), startedSet("init1"), []string{"SidecarContainer/side"}},
		{"sidecar started: init2", pod(twoInit, main), startedSet("init1", "side"), []string{"InitContainer/init2"}},
		{"initialized: the containers", pod(twoInit, main), startedSet("init1", "side", "init2"), []string{"Container/b", "Container/a"}},
		{"one container started: the other", pod(twoInit, main), startedSet("init1", "side", "init2", "b"), []string{"Container/a"}},
		{"all started: nothing, not even the image volumes", pod(nil, main, imageVolume("v", "vol:1")), startedSet("a", "b"), nil},
		{"image volumes first", pod(nil, main, corev1.Volume{Name: "empty"}, imageVolume("v", "vol:1")), nil, []string{"ImageVolume/v", "Container/b", "Container/a"}},
		{"deleted pod: nothing", func() *corev1.Pod { p := pod(nil, main); p.DeletionTimestamp = &metav1.Time{}; return p }(), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := podstatus.Plan(tt.pod, tt.started)
			if tt.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tt.want, names(got))
		})
	}
}

func TestPlanEphemeral(t *testing.T) {
	t.Parallel()
	p := pod([]corev1.Container{ctr("init", "i")}, []corev1.Container{ctr("app", "a")})
	p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "busybox"}}}
	steps := podstatus.Plan(p, nil)
	assert.Equal(t, []string{"EphemeralContainer/debug", "InitContainer/init"}, names(steps))
	assert.Equal(t, "spec.ephemeralContainers{debug}", steps[0].FieldPath)
	assert.Equal(t, "spec.initContainers{init}", steps[1].FieldPath)
}

func TestSync(t *testing.T) {
	t.Parallel()
	type start struct{ name, reason, msg string }
	tests := []struct {
		name      string
		pod       *corev1.Pod
		started   podstatus.Started
		out       map[string]outcome
		wantCalls []string
		wantStart []start
		wantEvent []string // Failed events: "fieldPath message"
	}{
		{
			name:      "all ready",
			pod:       pod(nil, []corev1.Container{ctr("app", "app:1")}),
			wantCalls: []string{"Container/app"},
			wantStart: []start{{"app", "", ""}},
		},
		{
			name:      "a failing container does not stop the next",
			pod:       pod(nil, []corev1.Container{ctr("a", "private:1"), ctr("b", "app:1")}),
			out:       map[string]outcome{"private:1": pullFailed},
			wantCalls: []string{"Container/a", "Container/b"},
			wantStart: []start{{"a", "ErrImagePull", pullFailed.msg}, {"b", "", ""}},
			wantEvent: []string{"spec.containers{a} Error: ErrImagePull"},
		},
		{
			name:      "back-off: the Failed event says ImagePullBackOff",
			pod:       pod(nil, []corev1.Container{ctr("a", "private:1")}),
			out:       map[string]outcome{"private:1": backOff},
			wantCalls: []string{"Container/a"},
			wantStart: []start{{"a", "ImagePullBackOff", backOff.msg}},
			wantEvent: []string{"spec.containers{a} Error: ImagePullBackOff"},
		},
		{
			name:      "a failing init container stops the sync",
			pod:       pod([]corev1.Container{ctr("init", "absent:1")}, []corev1.Container{ctr("app", "app:1")}),
			out:       map[string]outcome{"absent:1": neverPull},
			wantCalls: []string{"InitContainer/init"},
			wantStart: []start{{"init", "ErrImageNeverPull", neverPull.msg}},
			wantEvent: []string{"spec.initContainers{init} Error: ErrImageNeverPull"},
		},
		{
			name: "a failed image volume fails its containers without ensuring their images",
			pod: pod(nil, []corev1.Container{ctr("a", "app:1", "v1", "v2"), ctr("b", "app:2")},
				imageVolume("v1", "private:1"), imageVolume("v2", "absent:1")),
			out:       map[string]outcome{"private:1": pullFailed, "absent:1": neverPull},
			wantCalls: []string{"ImageVolume/v1", "ImageVolume/v2", "Container/b"},
			// The last failed volume in volumeMounts order gives the reason.
			wantStart: []start{{"a", "ErrImageNeverPull", neverPull.msg}, {"b", "", ""}},
			wantEvent: []string{"spec.containers{a} Error: ErrImagePull", "spec.containers{a} Error: ErrImageNeverPull"},
		},
		{
			name:      "a raw error is its own reason",
			pod:       pod(nil, []corev1.Container{ctr("a", "bad:1")}),
			out:       map[string]outcome{"bad:1": {raw: errors.New(`couldn't parse secret "s"`)}},
			wantCalls: []string{"Container/a"},
			wantStart: []start{{"a", `couldn't parse secret "s"`, `couldn't parse secret "s"`}},
			wantEvent: []string{`spec.containers{a} Error: couldn't parse secret "s"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeEnsure{out: tt.out}
			r := podstatus.Sync(context.Background(), tt.pod, tt.started, f.ensure)
			assert.Equal(t, tt.wantCalls, names(f.calls))
			var got []start
			for _, s := range r.Starts {
				got = append(got, start{s.Step.Name, s.Reason, s.Message})
				if s.Err == nil {
					assert.Equal(t, "sha256:"+s.Step.Image, s.ImageRef)
				}
			}
			assert.Equal(t, tt.wantStart, got)
			var events []string
			for _, e := range r.Events {
				assert.Equal(t, kubelet.EventTypeWarning, e.Type)
				assert.Equal(t, podstatus.EventReasonFailed, e.Reason)
				events = append(events, e.FieldPath+" "+e.Message)
			}
			assert.Equal(t, tt.wantEvent, events)
			assert.Equal(t, len(tt.wantEvent) > 0, r.Failed())
		})
	}
}

// AllEvents puts each Failed event after the image manager's events of the same call.
func TestSyncAllEventsOrder(t *testing.T) {
	t.Parallel()
	f := &fakeEnsure{out: map[string]outcome{"private:1": pullFailed}}
	p := pod(nil, []corev1.Container{ctr("a", "private:1"), ctr("b", "private:1")})
	r := podstatus.Sync(context.Background(), p, nil, f.ensure)
	var got []string
	for _, e := range r.AllEvents() {
		got = append(got, e.FieldPath+" "+e.Reason+" "+e.Message)
	}
	require.Equal(t, []string{
		"spec.containers{a} Failed Failed to pull image private:1",
		"spec.containers{a} Failed Error: ErrImagePull",
		"spec.containers{b} Failed Failed to pull image private:1",
		"spec.containers{b} Failed Error: ErrImagePull",
	}, got)
}

func TestStepRequest(t *testing.T) {
	t.Parallel()
	p := pod([]corev1.Container{sidecar("side", "s:1")}, []corev1.Container{ctr("app", "a:1")}, imageVolume("v", "vol:1"))
	p.Spec.ServiceAccountName = "sa"
	p.Annotations = map[string]string{"k": "v"}
	steps := podstatus.Steps(p)
	require.Len(t, steps, 3)
	tests := []struct {
		step      podstatus.Step
		kind      kubelet.ContainerKind
		fieldPath string
	}{
		{steps[0], kubelet.KindImageVolume, ""},
		{steps[1], kubelet.KindInitContainer, "spec.initContainers{side}"},
		{steps[2], kubelet.KindContainer, "spec.containers{app}"},
	}
	for _, tt := range tests {
		req := tt.step.Request(p)
		assert.Equal(t, tt.kind, req.Kind)
		assert.Equal(t, tt.fieldPath, req.FieldPath())
		assert.Equal(t, tt.fieldPath, tt.step.FieldPath)
		assert.Equal(t, tt.step.Image, req.Image)
		assert.Equal(t, kubelet.Pod{Namespace: "default", Name: "web", UID: "uid-1", ServiceAccount: "sa", Annotations: p.Annotations}, req.Pod)
	}
}

func TestSyncAll(t *testing.T) {
	t.Parallel()
	inits := []corev1.Container{ctr("init1", "i:1", "v"), sidecar("side", "s:1"), ctr("init2", "i:2")}
	main := []corev1.Container{ctr("b", "b:1"), ctr("a", "a:1", "v")}
	tests := []struct {
		name      string
		started   podstatus.Started
		out       map[string]outcome
		wantCalls []string
		wantFail  []string
	}{
		{
			name:      "all ready: every image once, volumes first",
			wantCalls: []string{"ImageVolume/v", "InitContainer/init1", "SidecarContainer/side", "InitContainer/init2", "Container/b", "Container/a"},
		},
		{
			name:      "a failed sidecar stops the pass",
			out:       map[string]outcome{"s:1": pullFailed},
			wantCalls: []string{"ImageVolume/v", "InitContainer/init1", "SidecarContainer/side"},
			wantFail:  []string{"side"},
		},
		{
			name:      "a failed init container stops the pass",
			out:       map[string]outcome{"i:2": neverPull},
			wantCalls: []string{"ImageVolume/v", "InitContainer/init1", "SidecarContainer/side", "InitContainer/init2"},
			wantFail:  []string{"init2"},
		},
		{
			name:      "a failed volume fails its containers only, and stops at the init container mounting it",
			out:       map[string]outcome{"vol:1": pullFailed},
			wantCalls: []string{"ImageVolume/v"},
			wantFail:  []string{"init1"},
		},
		{
			name:      "started containers are skipped",
			started:   startedSet("init1", "side", "init2", "b"),
			wantCalls: []string{"ImageVolume/v", "Container/a"},
		},
		{
			name:    "all started: nothing",
			started: startedSet("init1", "side", "init2", "a", "b"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := pod(inits, main, imageVolume("v", "vol:1"))
			f := &fakeEnsure{out: tt.out}
			r := podstatus.SyncAll(context.Background(), p, tt.started, f.ensure)
			if tt.wantCalls == nil {
				assert.Empty(t, f.calls)
			} else {
				assert.Equal(t, tt.wantCalls, names(f.calls))
			}
			var failed []string
			for _, s := range r.Starts {
				if s.Err != nil {
					failed = append(failed, s.Step.Name)
				}
			}
			assert.Equal(t, tt.wantFail, failed)
		})
	}
}

func TestMissingSecretsEvent(t *testing.T) {
	t.Parallel()
	regUnavailable := outcome{reason: pullpolicy.ErrRegistryUnavailable, msg: "image pull failed for x because the registry is unavailable"}
	tests := []struct {
		name    string
		out     map[string]outcome
		missing []string
		want    bool
	}{
		{"ErrImagePull and a missing Secret", map[string]outcome{"private:1": pullFailed}, []string{"regcred", "other"}, true},
		{"no missing Secret", map[string]outcome{"private:1": pullFailed}, nil, false},
		{"back-off: no pull was attempted", map[string]outcome{"private:1": backOff}, []string{"regcred"}, false},
		{"another reason", map[string]outcome{"private:1": regUnavailable}, []string{"regcred"}, false},
		{"no failure", nil, []string{"regcred"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeEnsure{out: tt.out}
			r := podstatus.Sync(context.Background(), pod(nil, []corev1.Container{ctr("a", "private:1"), ctr("b", "app:1")}), nil, f.ensure)
			e, ok := r.MissingSecretsEvent(tt.missing)
			require.Equal(t, tt.want, ok)
			if ok {
				assert.Equal(t, kubelet.Event{
					Type: "Warning", Reason: "FailedToRetrieveImagePullSecret",
					Message: "Unable to retrieve some image pull secrets (regcred, other); attempting to pull the image may not succeed.",
				}, e)
			}
		})
	}
}

// An EnsureFunc that returns the error without the Result still gives the waiting message.
func TestSyncMessageFromError(t *testing.T) {
	t.Parallel()
	p := pod(nil, []corev1.Container{ctr("a", "private:1")})
	ensure := func(context.Context, podstatus.Step) (kubelet.Result, error) {
		return kubelet.Result{}, &kubelet.EnsureError{Reason: pullpolicy.ErrImagePull, Message: pullFailed.msg}
	}
	r := podstatus.Sync(context.Background(), p, nil, ensure)
	require.Len(t, r.Starts, 1)
	assert.Equal(t, pullFailed.msg, r.Starts[0].Message)
	assert.Equal(t, "ErrImagePull", r.Starts[0].Reason)
}
