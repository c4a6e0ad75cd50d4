package podstatus_test

// Translations of the kubelet v1.37.2's tests of which containers a SyncPod starts, and so
// whose images it ensures (k8s.io/kubernetes@v1.37.2/pkg/kubelet/kuberuntime/
// kuberuntime_manager_test.go). The runtime's state of each container becomes its
// ContainerProgress: exited 0 (init) or running and started (sidecar) or created (regular)
// is Done; an init container running and not completed, or a sidecar whose startup probe has
// not succeeded, is Running; a container the runtime lacks, or holds in the created state
// after a failed start, is NotStarted. Counts, by upstream test:
//
//   - :1894 TestComputePodActionsWithInitContainers: 19 cases; 5 translated (initialization
//     completed; none started; initialization in progress; an init container in the created
//     state; statuses of earlier init containers missing while the last runs); 14 not
//     expressible: restarts after failures or unknown states, dead sandboxes, a stale
//     container of a previous sandbox, resizes (this package plans first starts only).
//   - :2299 TestComputePodActionsWithRestartableInitContainers: 25 cases; 9 translated
//     (initialization completed; none started; stuck in created; started, start the next;
//     liveness probe not run, in progress, completed; startup probe not run, in progress,
//     completed — liveness never holds the next one up, startup does); 16 not expressible
//     (restarts, kills, sandboxes, definition changes, stale containers).
//   - :800 TestSyncPodWithInitContainers: 4 steps; 3 translated (start only the init
//     container; nothing while it runs; all app containers once it completed); the 4th (a
//     dead sandbox restarts initialization) is not expressible.
//   - :4333 TestToKubeContainerImageVolumes: 4 cases, translated through Sync (a container
//     mounting a failed image volume fails with its error; otherwise it starts).

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/kube/podstatus"
	"github.com/imagepull/imagepull/kubelet"
)

func basePod(inits ...corev1.Container) *corev1.Pod {
	p := &corev1.Pod{Spec: corev1.PodSpec{
		InitContainers: inits,
		Containers:     []corev1.Container{{Name: "foo1", Image: "busybox"}, {Name: "foo2", Image: "busybox"}, {Name: "foo3", Image: "busybox"}},
		RestartPolicy:  corev1.RestartPolicyAlways,
	}}
	p.UID, p.Name, p.Namespace = "12345678", "foo", "new"
	return p
}

func progressOf(m map[string]podstatus.ContainerProgress) podstatus.Progress {
	return func(name string) podstatus.ContainerProgress { return m[name] }
}

type upstreamAction struct {
	initToStart []int // InitContainersToStart
	toStart     []int // ContainersToStart
}

// actionOf reads the kubelet's podActions off a plan.
func actionOf(steps []podstatus.Step) upstreamAction {
	var a upstreamAction
	for _, s := range steps {
		switch s.Kind {
		case podstatus.InitContainer, podstatus.SidecarContainer:
			a.initToStart = append(a.initToStart, s.Index)
		case podstatus.Container:
			a.toStart = append(a.toStart, s.Index)
		}
	}
	return a
}

func TestUpstreamComputePodActionsWithInitContainers(t *testing.T) {
	t.Parallel()
	inits := []corev1.Container{{Name: "init1", Image: "bar-image"}, {Name: "init2", Image: "bar-image"}, {Name: "init3", Image: "bar-image"}}
	allDone := map[string]podstatus.ContainerProgress{"init1": podstatus.Done, "init2": podstatus.Done, "init3": podstatus.Done}
	with := func(name string, p podstatus.ContainerProgress) map[string]podstatus.ContainerProgress {
		m := map[string]podstatus.ContainerProgress{}
		for k, v := range allDone {
			m[k] = v
		}
		m[name] = p
		return m
	}
	tests := map[string]struct {
		progress map[string]podstatus.ContainerProgress
		want     upstreamAction
	}{
		"initialization completed; start all containers":                                                        {allDone, upstreamAction{toStart: []int{0, 1, 2}}},
		"no init containers have been started; start the first one":                                             {nil, upstreamAction{initToStart: []int{0}}},
		"initialization in progress; do nothing":                                                                {with("init3", podstatus.Running), upstreamAction{}},
		"an init container is in the created state due to an unknown error when starting container; restart it": {with("init3", podstatus.NotStarted), upstreamAction{initToStart: []int{2}}},
		// The caller knows that init1 and init2 completed even though the runtime lost them.
		"some of the init container statuses are missing but the last init container is running, don't restart preceding ones": {with("init3", podstatus.Running), upstreamAction{}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, actionOf(podstatus.PlanProgress(basePod(inits...), progressOf(tt.progress))))
		})
	}
}

func TestUpstreamComputePodActionsWithRestartableInitContainers(t *testing.T) {
	t.Parallel()
	always := corev1.ContainerRestartPolicyAlways
	inits := []corev1.Container{
		{Name: "restartable-init-1", Image: "bar-image", RestartPolicy: &always},
		{Name: "restartable-init-2", Image: "bar-image", RestartPolicy: &always, LivenessProbe: &corev1.Probe{}, StartupProbe: &corev1.Probe{}},
		{Name: "restartable-init-3", Image: "bar-image", RestartPolicy: &always, LivenessProbe: &corev1.Probe{}, StartupProbe: &corev1.Probe{}},
	}
	const done, running, none = podstatus.Done, podstatus.Running, podstatus.NotStarted
	p := func(a, b, c podstatus.ContainerProgress) map[string]podstatus.ContainerProgress {
		return map[string]podstatus.ContainerProgress{"restartable-init-1": a, "restartable-init-2": b, "restartable-init-3": c}
	}
	tests := map[string]struct {
		progress map[string]podstatus.ContainerProgress
		want     upstreamAction
	}{
		"initialization completed; start all containers":              {p(done, done, done), upstreamAction{toStart: []int{0, 1, 2}}},
		"no init containers have been started; start the first one":   {nil, upstreamAction{initToStart: []int{0}}},
		"an init container is stuck in the created state; restart it": {p(done, done, none), upstreamAction{initToStart: []int{2}}},
		"restartable init container has started; start the next":      {p(done, none, none), upstreamAction{initToStart: []int{1}}},
		// A sidecar's liveness probe does not hold the next init container up: started is Done.
		"livenessProbe has not been run; start the nothing": {p(done, done, none), upstreamAction{initToStart: []int{2}}},
		"livenessProbe in progress; start the next":         {p(done, done, none), upstreamAction{initToStart: []int{2}}},
		"livenessProbe has completed; start the next":       {p(done, done, none), upstreamAction{initToStart: []int{2}}},
		// Its startup probe does: until it succeeds the sidecar is Running.
		"startupProbe has not been run; do nothing":  {p(done, running, none), upstreamAction{}},
		"startupProbe in progress; do nothing":       {p(done, running, none), upstreamAction{}},
		"startupProbe has completed; start the next": {p(done, done, none), upstreamAction{initToStart: []int{2}}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, actionOf(podstatus.PlanProgress(basePod(inits...), progressOf(tt.progress))))
		})
	}
}

func TestUpstreamSyncPodWithInitContainers(t *testing.T) {
	t.Parallel()
	p := basePod(corev1.Container{Name: "init1", Image: "init", ImagePullPolicy: corev1.PullIfNotPresent})
	p.Spec.Containers = []corev1.Container{
		{Name: "foo1", Image: "busybox", ImagePullPolicy: corev1.PullIfNotPresent},
		{Name: "foo2", Image: "alpine", ImagePullPolicy: corev1.PullIfNotPresent},
	}
	steps := []struct {
		msg      string
		progress map[string]podstatus.ContainerProgress
		want     []string
	}{
		{"start only the init container", nil, []string{"InitContainer/init1"}},
		{"init container still running; do nothing", map[string]podstatus.ContainerProgress{"init1": podstatus.Running}, nil},
		{"init container completed; all app containers should be running", map[string]podstatus.ContainerProgress{"init1": podstatus.Done}, []string{"Container/foo1", "Container/foo2"}},
	}
	for _, step := range steps {
		f := &fakeEnsure{}
		r := podstatus.SyncProgress(context.Background(), p, progressOf(step.progress), f.ensure)
		if step.want == nil {
			assert.Empty(t, f.calls, step.msg)
		} else {
			assert.Equal(t, step.want, names(f.calls), step.msg)
		}
		assert.False(t, r.Failed(), step.msg)
	}
}

func TestUpstreamToKubeContainerImageVolumes(t *testing.T) {
	t.Parallel()
	errTest := errors.New("pull failed")
	tests := map[string]struct {
		volumes []corev1.Volume
		mounts  []string
		failing map[string]bool // volume references that fail
		wantErr error
	}{
		"empty volumes": {},
		"multiple volumes": {
			volumes: []corev1.Volume{imageVolume("volume-1", "image-1"), imageVolume("volume-2", "image-2")},
			mounts:  []string{"volume-1", "volume-2"},
		},
		"not matching volume": {
			volumes: []corev1.Volume{imageVolume("different", "image-1")},
			mounts:  []string{"volume-1"},
		},
		"error in pull result": {
			volumes: []corev1.Volume{imageVolume("volume-1", "image-1")},
			mounts:  []string{"volume-1"},
			failing: map[string]bool{"image-1": true},
			wantErr: errTest,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := pod(nil, []corev1.Container{ctr("test", "app:1", tt.mounts...)}, tt.volumes...)
			ensure := func(_ context.Context, s podstatus.Step) (kubelet.Result, error) {
				if tt.failing[s.Image] {
					return kubelet.Result{}, errTest
				}
				return kubelet.Result{ImageRef: "sha256:" + s.Image}, nil
			}
			r := podstatus.Sync(context.Background(), p, nil, ensure)
			require.Len(t, r.Starts, 1)
			if tt.wantErr != nil {
				require.EqualError(t, r.Starts[0].Err, tt.wantErr.Error())
				assert.Empty(t, r.Starts[0].ImageRef)
				return
			}
			require.NoError(t, r.Starts[0].Err)
			assert.Equal(t, "sha256:app:1", r.Starts[0].ImageRef)
		})
	}
}
