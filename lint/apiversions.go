package lint

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/imagepull/imagepull/kube"
)

// DefaultKubernetesVersion is the release [UnservedAPIVersion] checks against when
// [Config].KubernetesVersion is "": the one this module's k8s.io dependencies follow.
const DefaultKubernetesVersion = "1.37"

// ErrKubernetesVersion is matched by the error of [ParseKubernetesVersion].
var ErrKubernetesVersion = errors.New("invalid Kubernetes version")

// ParseKubernetesVersion parses a Kubernetes release, "1.16", "v1.16" or "v1.16.3", into
// its minor number (16).
func ParseKubernetesVersion(s string) (int, error) {
	v := strings.TrimPrefix(s, "v")
	major, rest, ok := strings.Cut(v, ".")
	minorText, _, _ := strings.Cut(rest, ".")
	minor, err := strconv.Atoi(minorText)
	if !ok || major != "1" || err != nil || minor < 0 || minor > 999 {
		return 0, fmt.Errorf("%w %q: want 1.MINOR, such as %s, v1.16 or 1.25.3", ErrKubernetesVersion, s, DefaultKubernetesVersion)
	}
	return minor, nil
}

// served is the range of releases in which the API server serves kinds at group/version by
// default: from 1.since to 1.(until-1); until 0 means still served. Sources: the Kubernetes
// blog "Deprecated APIs Removed In 1.16" (2019-07-18) for apps/v1beta1, apps/v1beta2 and
// extensions/v1beta1, which also says apps/v1 is served since 1.9; the Deprecated API
// Migration Guide (kubernetes.io/docs/reference/using-api/deprecation-guide/#cronjob-v125)
// for batch/v1beta1 CronJob, and CHANGELOG-1.21 for batch/v1 CronJob (GA) and the removal
// of batch/v2alpha1, an alpha version the API server never served by default.
type served struct {
	apiVersion string
	kinds      []string
	since      int
	until      int
	alpha      bool
}

var servedVersions = [...]served{
	{"v1", []string{"Pod", "ReplicationController", "PodTemplate"}, 0, 0, false},
	{"apps/v1", []string{"Deployment", "DaemonSet", "ReplicaSet", "StatefulSet"}, 9, 0, false},
	{"apps/v1beta1", []string{"Deployment", "StatefulSet", "ReplicaSet"}, 0, 16, false},
	{"apps/v1beta2", []string{"Deployment", "DaemonSet", "ReplicaSet", "StatefulSet"}, 8, 16, false},
	{"extensions/v1beta1", []string{"Deployment", "DaemonSet", "ReplicaSet"}, 0, 16, false},
	{"batch/v1", []string{"Job"}, 0, 0, false},
	{"batch/v1", []string{"CronJob"}, 21, 0, false},
	{"batch/v1beta1", []string{"CronJob"}, 8, 25, false},
	{"batch/v2alpha1", []string{"CronJob"}, 0, 21, true},
}

// unserved says why release 1.minor does not serve w's API version, or "" when it does.
func unserved(w *kube.Workload, minor int) string {
	use := "apps/v1"
	switch w.Kind {
	case "Pod", "ReplicationController", "PodTemplate":
		use = "v1"
	case "Job", "CronJob":
		use = "batch/v1"
		if w.Kind == "CronJob" && minor < 21 {
			use = "batch/v1beta1"
		}
	}
	i := slices.IndexFunc(servedVersions[:], func(s served) bool {
		return s.apiVersion == w.APIVersion && slices.Contains(s.kinds, w.Kind)
	})
	if i < 0 {
		return fmt.Sprintf("no Kubernetes release serves %s in %s; use %s", w.Kind, w.APIVersion, use)
	}
	s := servedVersions[i]
	release := "Kubernetes 1." + strconv.Itoa(minor)
	switch {
	case s.alpha:
		return fmt.Sprintf("%s is an alpha version, which the API server serves only when --runtime-config enables it, and not at all since 1.%d; use %s",
			s.apiVersion, s.until, use)
	case minor < s.since:
		return fmt.Sprintf("%s does not serve %s in %s, which is served from 1.%d; use %s", release, w.Kind, s.apiVersion, s.since, use)
	case s.until != 0 && minor >= s.until:
		return fmt.Sprintf("%s does not serve %s in %s, which it stopped serving in 1.%d; use %s", release, w.Kind, s.apiVersion, s.until, use)
	}
	return ""
}

// appendAPIVersion adds the [UnservedAPIVersion] finding of w, if any.
func (l *Linter) appendAPIVersion(out []Finding, w *kube.Workload) []Finding {
	if !l.enabled[UnservedAPIVersion] || w.APIVersion == "" {
		return out
	}
	msg := unserved(w, l.minor)
	if msg == "" {
		return out
	}
	r := l.rules[slices.IndexFunc(l.rules, func(r Rule) bool { return r.ID == UnservedAPIVersion })]
	return append(out, Finding{
		Rule: r.ID, RuleName: r.Name, Severity: r.Severity, Message: msg, Fix: r.Fix,
		File: w.Source.File, Document: w.Source.Document, Item: w.Source.Item, Line: w.Line("apiVersion"),
		Object: Object{Kind: w.Kind, Namespace: w.Namespace, Name: w.Name}, Path: "apiVersion",
		Suppression: suppression(w, &r, ""),
	})
}
