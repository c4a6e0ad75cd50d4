package apiservere2e

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/doctor"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
)

var updateGolden = flag.Bool("update", false, "rewrite the doctor scenarios' golden files in testdata/doctor")

// The registry's users: the password the registry holds, and an older one a Secret may
// still hold.
const (
	regUser        = "alice"
	regPassword    = "n3w-Passw0rd"
	regOldPassword = "0ld-Passw0rd"
)

// doctorScenario is one of issue 20's scenarios: a world made by setup, the pod to diagnose,
// and the root cause doctor must name first for its image.
type doctorScenario struct {
	name  string
	cause string // the doctor.Cause expected as the image's finding
	// setup builds the world in namespace ns and returns the pod to diagnose and the
	// registry flags doctor needs (such as --plain-http for the loopback registry).
	setup func(t *testing.T, ns string) (f *fixture, pod string, flags []string)
}

// plain is the doctor flag for a plain HTTP registry.
func plain(f *fixture) []string { return []string{"--plain-http", f.reg.Host()} }

var basicAuth = registrytest.Auth{Scheme: registrytest.AuthBasic, Username: regUser, Password: regPassword}

// backOff makes p's status and events with the library's kubelet (fixture.kubeletSync): a
// pull failing with crierr, retried into ImagePullBackOff.
func backOff(f *fixture, p *corev1.Pod, crierr string, missing ...string) {
	f.kubeletSync(p, crierr, missing...)
}

var doctorScenarios = []doctorScenario{{
	name: "wrong-tag", cause: "NotFound",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{})
		f.push("web:v1")
		f.push("web:v1.9")
		image := f.reg.Host() + "/web:v2"
		p := f.pod(podSpec{name: "web", image: image, policy: corev1.PullIfNotPresent})
		backOff(f, p, crierrNotFound(image))
		return f, "web", plain(f)
	},
}, {
	name: "missing-secret", cause: "MissingSecret",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{Auth: basicAuth})
		image, _ := f.push("private/api:v1")
		p := f.pod(podSpec{name: "api", image: image, pullSecrets: []string{"regcred"}})
		backOff(f, p, crierrStatus(image, f.reg.Host(), "v1", "401 Unauthorized"), "regcred")
		return f, "api", plain(f)
	},
}, {
	name: "secret-for-another-registry", cause: "SecretNoEntryForRegistry",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{Auth: basicAuth})
		image, _ := f.push("private/api:v1")
		f.dockerConfigSecret("regcred", map[string][2]string{"ghcr.io": {regUser, regPassword}})
		p := f.pod(podSpec{name: "api", image: image, pullSecrets: []string{"regcred"}})
		backOff(f, p, crierrStatus(image, f.reg.Host(), "v1", "401 Unauthorized"))
		return f, "api", plain(f)
	},
}, {
	name: "expired-password", cause: "Unauthorized",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{Auth: registrytest.Auth{
			Scheme: registrytest.AuthBearer, Username: regUser, Password: regPassword}})
		image, _ := f.push("private/api:v1")
		f.dockerConfigSecret("regcred", map[string][2]string{f.reg.Host(): {regUser, regOldPassword}})
		p := f.pod(podSpec{name: "api", image: image, pullSecrets: []string{"regcred"}})
		backOff(f, p, crierrTokenRefused(image))
		return f, "api", plain(f)
	},
}, {
	name: "self-signed-ca", cause: "TLSUnknownAuthority",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{TLS: &registrytest.TLS{}})
		image, _ := f.push("internal/app:v1")
		p := f.pod(podSpec{name: "app", image: image})
		backOff(f, p, crierrRequest(image, "https://"+f.reg.Host()+"/v2/internal/app/manifests/v1",
			"tls: failed to verify certificate: x509: certificate signed by unknown authority"))
		return f, "app", nil
	},
}, {
	// Beyond the list: the CA is trusted (doctor's --ca-file, the node's ca.crt) but
	// the certificate names another host.
	name: "certificate-for-another-name", cause: "TLSWrongName",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{TLS: &registrytest.TLS{Names: []string{"registry.example"}}})
		image, _ := f.push("internal/app:v1")
		ca := filepath.Join(t.TempDir(), "ca.pem")
		require.NoError(t, os.WriteFile(ca, f.reg.CAPEM(), 0o600))
		p := f.pod(podSpec{name: "app", image: image})
		backOff(f, p, crierrRequest(image, "https://"+f.reg.Host()+"/v2/internal/app/manifests/v1",
			"tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"))
		return f, "app", []string{"--ca-file", ca}
	},
}, {
	name: "never-absent", cause: "NeverPolicyImageAbsent",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{}, []string{"registry.example/other:v1"})
		image, _ := f.push("app:v1")
		p := f.pod(podSpec{name: "app", image: image, policy: corev1.PullNever})
		f.kubeletSync(p, "the runtime is never asked under Never")
		return f, "app", plain(f)
	},
}, {
	name: "invalid-name", cause: "InvalidImageName",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{})
		image := f.reg.Host() + "/Team/App:v1"
		p := f.pod(podSpec{name: "app", image: image})
		f.kubeletSync(p, "the runtime is never asked for an invalid name")
		return f, "app", plain(f)
	},
}, {
	name: "rate-limit", cause: "RateLimited",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{})
		image, _ := f.push("library/nginx:1.27")
		fault := registrytest.DockerHubRateLimit(100, 6*time.Hour, 90*time.Minute)
		fault.PathPrefix = "/v2/library/nginx/manifests/"
		_, err := f.reg.Inject(fault)
		require.NoError(t, err)
		p := f.pod(podSpec{name: "nginx", image: image})
		backOff(f, p, crierrStatus(image, f.reg.Host(), "1.27", "429 Too Many Requests"))
		return f, "nginx", plain(f)
	},
}, {
	name: "kep-2535-refusal", cause: "PulledWithOtherCredentials",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{Auth: basicAuth})
		image, dgst := f.push("private/api:v1")
		// Another pod, with its Secret, pulled the image onto the node.
		setNodeImages(t, f, []string{image, f.reg.Host() + "/private/api@" + dgst})
		p := f.pod(podSpec{name: "api", image: image, policy: corev1.PullIfNotPresent})
		backOff(f, p, crierrStatus(image, f.reg.Host(), "v1", "401 Unauthorized"))
		return f, "api", plain(f)
	},
}, {
	name: "registry-down", cause: "RegistryDown",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{})
		image, _ := f.push("app:v1")
		f.reg.Stop()
		p := f.pod(podSpec{name: "app", image: image})
		backOff(f, p, crierrRequest(image, "http://"+f.reg.Host()+"/v2/app/manifests/v1",
			"dial tcp "+f.reg.Host()+": connect: connection refused"))
		return f, "app", plain(f)
	},
}, {
	name: "service-account", cause: "ServiceAccountSecretNotInPod",
	setup: func(t *testing.T, ns string) (*fixture, string, []string) {
		f := newFixture(t, hookAPI, ns, registrytest.Options{Auth: basicAuth})
		image, _ := f.push("private/api:v1")
		f.dockerConfigSecret("regcred", map[string][2]string{f.reg.Host(): {regUser, regPassword}})
		sa := f.serviceAccount("builder")
		p := f.pod(podSpec{name: "api", image: image, serviceAccount: "builder"})
		// The Secret is added to the service account after the pod was admitted: the
		// ServiceAccount admission plugin copied nothing into the pod.
		sa.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "regcred"}}
		_, err := hookAPI.Client.CoreV1().ServiceAccounts(ns).Update(t.Context(), sa, metaUpdate)
		require.NoError(t, err)
		backOff(f, p, crierrStatus(image, f.reg.Host(), "v1", "401 Unauthorized"))
		return f, "api", plain(f)
	},
}}

// TestDoctorScenarios diagnoses each of issue 20's scenarios with package doctor asking the
// registry through package registry's Probe, compares the text and JSON reports with the
// golden files in testdata/doctor (rewrite them with -update), and checks that the root cause
// named first is the scenario's: the accuracy table in the README is this test's log. The same
// scenarios through the built CLI are TestDoctorScenariosCLI.
func TestDoctorScenarios(t *testing.T) {
	needControlPlane(t)
	var (
		mu    sync.Mutex
		table []string
	)
	for _, sc := range doctorScenarios {
		t.Run(sc.name, func(t *testing.T) {
			ns := "doctor-" + sc.name
			f, pod, flags := sc.setup(t, ns)
			text, js := diagnose(t, ns, pod, flags)
			noCredentials(t, text, js)
			norm := normalizer(f)
			golden(t, sc.name+".txt", norm(text))
			golden(t, sc.name+".json", norm(js))

			got := firstCause(t, js)
			mu.Lock()
			table = append(table, fmt.Sprintf("| %s | %s | %s | %s |", sc.name, sc.cause, got, mark(got == sc.cause)))
			mu.Unlock()
			assert.Equal(t, sc.cause, got, "the root cause named first\n%s", text)
		})
	}
	t.Logf("accuracy:\n| scenario | root cause | doctor named first | |\n|---|---|---|---|\n%s", strings.Join(table, "\n"))
}

// diagnose runs package doctor on pod ns/pod with doctor.RegistryProber configured by the doctor
// flags given (--plain-http HOST, --ca-file FILE) and returns its text and JSON reports.
func diagnose(t *testing.T, ns, pod string, flags []string) (text, js string) {
	t.Helper()
	opts := &registry.Options{MaxRetries: -1, Timeout: 10 * time.Second}
	for i := 0; i+1 < len(flags); i += 2 {
		switch flags[i] {
		case "--plain-http":
			opts.PlainHTTP = append(opts.PlainHTTP, flags[i+1])
		case "--ca-file":
			pem, err := os.ReadFile(flags[i+1])
			require.NoError(t, err)
			if opts.RootCAs == nil {
				opts.RootCAs = x509.NewCertPool()
			}
			require.True(t, opts.RootCAs.AppendCertsFromPEM(pem))
		default:
			t.Fatalf("diagnose: unknown flag %s", flags[i])
		}
	}
	res, err := registry.NewResolver(opts)
	require.NoError(t, err)
	defer res.CloseIdleConnections()
	d := doctor.New(hookAPI.Client, &doctor.Options{Prober: doctor.RegistryProber(res)})
	rep, err := d.Diagnose(t.Context(), doctor.Target{Kind: "pod", Name: pod, Namespace: ns})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteText(&buf))
	out, err := json.MarshalIndent(rep, "", "  ")
	require.NoError(t, err)
	return buf.String(), string(out) + "\n"
}

// TestDoctorScenariosCLI runs imagepull doctor, the built binary, on each scenario, with its
// text and JSON output compared with the golden files in testdata/doctor/cli, and the root
// cause named first checked as in TestDoctorScenarios.
func TestDoctorScenariosCLI(t *testing.T) {
	needControlPlane(t)
	bin := doctorBinary(t)
	kubeconfig := writeKubeconfig(t, hookAPI)
	for _, sc := range doctorScenarios {
		t.Run(sc.name, func(t *testing.T) {
			ns := "cli-" + sc.name
			f, pod, flags := sc.setup(t, ns)
			args := append([]string{"doctor", "pod/" + pod, "-n", ns, "--kubeconfig", kubeconfig}, flags...)
			text := runDoctor(t, bin, args...)
			js := runDoctor(t, bin, append(args, "-o", "json")...)
			noCredentials(t, text, js)
			norm := normalizer(f)
			golden(t, filepath.Join("cli", sc.name+".txt"), strings.ReplaceAll(norm(text), ns, "NS"))
			golden(t, filepath.Join("cli", sc.name+".json"), strings.ReplaceAll(norm(js), ns, "NS"))
			assert.Equal(t, sc.cause, firstCause(t, js), "the root cause named first\n%s", text)
		})
	}
}

// noCredentials checks that doctor's outputs hold none of the scenarios' passwords, in clear
// or in the base64 "user:password" of a docker config.
func noCredentials(t *testing.T, outputs ...string) {
	t.Helper()
	for _, pw := range []string{regPassword, regOldPassword} {
		b64 := base64.StdEncoding.EncodeToString([]byte(regUser + ":" + pw))
		for _, out := range outputs {
			assert.NotContains(t, out, pw)
			assert.NotContains(t, out, b64)
		}
	}
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// firstCause returns the cause of the first image's finding in doctor's JSON, and checks that
// doctor found the pod's own state (the kubelet's waiting reason and message) in agreement
// with it.
func firstCause(t *testing.T, js string) string {
	t.Helper()
	var rep doctor.Report
	require.NoError(t, json.Unmarshal([]byte(js), &rep), js)
	require.NotEmpty(t, rep.Pods, js)
	require.NotEmpty(t, rep.Pods[0].Images, js)
	img := rep.Pods[0].Images[0]
	assert.True(t, img.Actual.Agrees, "the pod's state agrees with the diagnosis: %s", img.Actual.Note)
	return string(img.Finding.Cause)
}

var (
	digestRE = regexp.MustCompile(`sha256:[0-9a-f]{64}`)
	timeRE   = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
)

// normalizer returns a function that replaces what differs between runs in doctor's output:
// the registry's ports, digests and times.
func normalizer(f *fixture) func(string) string {
	return func(s string) string {
		s = strings.ReplaceAll(s, f.reg.Host(), "REGISTRY")
		s = strings.ReplaceAll(s, f.reg.OtherHost(), "REGISTRY_OTHER")
		s = digestRE.ReplaceAllString(s, "sha256:DIGEST")
		return timeRE.ReplaceAllString(s, "TIME")
	}
}

// golden compares got with testdata/doctor/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "doctor", name)
	if *updateGolden {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no golden file: run with -update")
	assert.Equal(t, string(want), got, "golden file %s (run with -update to rewrite)", path)
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// doctorBinary builds cmd/imagepull of the root module once per run.
func doctorBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "doctor-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "imagepull")
		cmd := exec.Command("go", "build", "-o", builtBin, "./cmd/imagepull")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/imagepull: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return builtBin
}

// runDoctor runs the binary and returns its standard output. doctor exits 1 when it finds a
// cause, which is every scenario's point; any other failure fails the test.
func runDoctor(t testing.TB, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "stderr: %s", stderr.String())
		require.Equal(t, 1, exit.ExitCode(), "imagepull %s\nstderr: %s", strings.Join(args, " "), stderr.String())
	}
	return stdout.String()
}

// setNodeImages rewrites the fixture node's status.images to one image with names.
func setNodeImages(t *testing.T, f *fixture, names []string) {
	t.Helper()
	n, err := f.api.Client.CoreV1().Nodes().Get(t.Context(), f.node, metaGet)
	require.NoError(t, err)
	n.Status.Images = []corev1.ContainerImage{{Names: names, SizeBytes: 1234567}}
	_, err = f.api.Client.CoreV1().Nodes().UpdateStatus(t.Context(), n, metaUpdate)
	require.NoError(t, err)
}

var (
	metaGet    = metav1.GetOptions{}
	metaUpdate = metav1.UpdateOptions{}
	metaCreate = metav1.CreateOptions{}
)

func metaObject(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name} }

// TestDoctorScenarioWorlds checks the scenarios' premises as the API server stored them,
// without doctor: each pod waits with the kubelet's reason, on its own node, and in the
// service-account case the pod lacks the Secret its service account has (the ServiceAccount
// admission plugin copies pull Secrets only when the pod is created).
func TestDoctorScenarioWorlds(t *testing.T) {
	needControlPlane(t)
	for _, sc := range doctorScenarios {
		t.Run(sc.name, func(t *testing.T) {
			ns := "world-" + sc.name
			f, pod, _ := sc.setup(t, ns)
			p, err := hookAPI.Client.CoreV1().Pods(ns).Get(t.Context(), pod, metaGet)
			require.NoError(t, err)
			require.Len(t, p.Status.ContainerStatuses, 1)
			w := p.Status.ContainerStatuses[0].State.Waiting
			require.NotNil(t, w)
			assert.Contains(t, []string{"ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName"}, w.Reason)
			assert.Contains(t, w.Message, p.Spec.Containers[0].Image)
			assert.Equal(t, f.node, p.Spec.NodeName)
			evs, err := hookAPI.Client.CoreV1().Events(ns).List(t.Context(), metav1.ListOptions{})
			require.NoError(t, err)
			assert.NotEmpty(t, evs.Items)
			if sc.name == "service-account" {
				assert.Empty(t, p.Spec.ImagePullSecrets)
				sa, err := hookAPI.Client.CoreV1().ServiceAccounts(ns).Get(t.Context(), p.Spec.ServiceAccountName, metaGet)
				require.NoError(t, err)
				assert.Equal(t, []corev1.LocalObjectReference{{Name: "regcred"}}, sa.ImagePullSecrets)
			}
		})
	}
}
