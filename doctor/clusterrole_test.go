package doctor

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"
)

// TestClusterRoleGrantsEveryRead: examples/doctor/clusterrole.yaml grants every read Diagnose
// makes, for every kind of target, and nothing but get and list.
func TestClusterRoleGrantsEveryRead(t *testing.T) {
	data, err := os.ReadFile("../examples/doctor/clusterrole.yaml")
	require.NoError(t, err)
	var role rbacv1.ClusterRole
	require.NoError(t, yaml.UnmarshalStrict(data, &role))
	granted := map[[3]string]bool{}
	for _, r := range role.Rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					assert.Contains(t, []string{"get", "list"}, v, "the role is read-only")
					granted[[3]string{g, res, v}] = true
				}
			}
		}
	}
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	meta := metav1.ObjectMeta{Namespace: ns, Name: "web", UID: "w"}
	objects := []runtime.Object{
		newPod("p", img, withSecrets("regcred"), waiting("ErrImagePull", "")), dockerSecret("regcred", "u", "PASS", "reg.example.com"),
		serviceAccount("default"), node("node-1"),
		&appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Selector: sel}},
		&appsv1.StatefulSet{ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{Selector: sel}},
		&appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{Selector: sel}},
		&appsv1.ReplicaSet{ObjectMeta: meta, Spec: appsv1.ReplicaSetSpec{Selector: sel}},
		&corev1.ReplicationController{ObjectMeta: meta, Spec: corev1.ReplicationControllerSpec{Selector: sel.MatchLabels}},
		&batchv1.Job{ObjectMeta: meta, Spec: batchv1.JobSpec{Selector: sel}},
		&batchv1.CronJob{ObjectMeta: meta},
	}
	client := fake.NewClientset(objects...)
	d := New(client, &Options{Prober: &fakeProber{}})
	targets := []Target{{Namespace: ns}, {AllNamespaces: true}, {Kind: "pod", Name: "p", Namespace: ns}}
	for _, k := range []string{"deployment", "statefulset", "daemonset", "replicaset", "replicationcontroller", "job", "cronjob"} {
		targets = append(targets, Target{Kind: k, Name: "web", Namespace: ns})
	}
	for _, tg := range targets {
		_, err := d.Diagnose(context.Background(), tg)
		require.NoError(t, err, tg)
	}
	var made [][3]string
	for _, a := range client.Actions() {
		r := a.GetResource()
		key := [3]string{r.Group, r.Resource, a.GetVerb()}
		if !slices.Contains(made, key) {
			made = append(made, key)
		}
		assert.True(t, granted[key], "Diagnose does %s %s (group %q), which the ClusterRole does not grant", key[2], key[1], key[0])
	}
	assert.Len(t, made, len(granted), "the ClusterRole grants only what Diagnose reads: it reads %v", made)
}
