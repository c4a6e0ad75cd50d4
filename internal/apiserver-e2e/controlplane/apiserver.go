package controlplane

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// APIServerOptions configures StartAPIServer.
type APIServerOptions struct {
	// Bin is the kube-apiserver binary.
	Bin string
	// EtcdURL is the etcd client URL.
	EtcdURL string
	// EtcdPrefix keeps API servers sharing one etcd apart ("/registry" when empty).
	EtcdPrefix string
	// Dir holds the server's keys, token file, certificates and log; it must exist.
	Dir string
	// Args are extra flags, such as --enable-admission-plugins=AlwaysPullImages.
	Args []string
	// ReadyTimeout bounds the wait for /readyz (two minutes when zero).
	ReadyTimeout time.Duration
}

// APIServer is a running kube-apiserver with an administrator's client.
type APIServer struct {
	// URL is the server's https URL on 127.0.0.1.
	URL string
	// Config is an administrator's client configuration (a static token in system:masters).
	Config *rest.Config
	// Client is a clientset for Config.
	Client kubernetes.Interface
	proc   *process
}

// StartAPIServer starts a kube-apiserver with the flags known to serve with a lone etcd (one RSA
// key for service accounts, a static administrator token, RBAC) and waits for /readyz.
func StartAPIServer(ctx context.Context, opts APIServerOptions) (*APIServer, error) {
	if opts.EtcdPrefix == "" {
		opts.EtcdPrefix = "/registry"
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 2 * time.Minute
	}
	keyFile := filepath.Join(opts.Dir, "sa.key")
	if err := writeRSAKey(keyFile); err != nil {
		return nil, err
	}
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	tokenFile := filepath.Join(opts.Dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(token+`,admin,admin-uid,"system:masters"`+"\n"), 0o600); err != nil {
		return nil, err
	}
	ports, err := freePorts(1)
	if err != nil {
		return nil, err
	}
	url := "https://" + hostPort(ports[0])
	args := append([]string{
		"--etcd-servers=" + opts.EtcdURL,
		"--etcd-prefix=" + opts.EtcdPrefix,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + keyFile,
		"--service-account-signing-key-file=" + keyFile,
		"--cert-dir=" + filepath.Join(opts.Dir, "certs"),
		fmt.Sprintf("--secure-port=%d", ports[0]),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		// v1.37 refuses a loopback advertise address to its endpoint reconciler ("cannot use
		// public IP 127.0.0.1 with endpoint reconciler"); this test server has no Service
		// endpoints to keep, so it runs without one.
		"--endpoint-reconciler-type=none",
		"--authorization-mode=RBAC",
		"--token-auth-file=" + tokenFile,
		"--service-cluster-ip-range=10.96.0.0/24",
		"--profiling=false",
	}, opts.Args...)
	p, err := start("kube-apiserver", opts.Bin, filepath.Join(opts.Dir, "kube-apiserver.log"), args...)
	if err != nil {
		return nil, err
	}
	probe := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // loopback test server with a self-signed certificate
	if err := waitFor(ctx, p, opts.ReadyTimeout, func(ctx context.Context) bool {
		_, ok := get(ctx, probe, url+"/readyz", token)
		return ok
	}); err != nil {
		_ = p.stop(5 * time.Second)
		return nil, err
	}
	cfg := &rest.Config{
		Host: url, BearerToken: token, QPS: 500, Burst: 1000, Timeout: 30 * time.Second,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true},
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		_ = p.stop(5 * time.Second)
		return nil, err
	}
	return &APIServer{URL: url, Config: cfg, Client: client, proc: p}, nil
}

// Stop stops the server.
func (a *APIServer) Stop() error { return a.proc.stop(15 * time.Second) }

// LogTail returns the end of the server's log, for failure messages.
func (a *APIServer) LogTail() string { return a.proc.tail(8000) }

// CreateNamespace creates a namespace and its "default" ServiceAccount, which the
// ServiceAccount admission plugin needs before any pod and which no controller manager creates
// here.
func (a *APIServer) CreateNamespace(ctx context.Context, name string) error {
	_, err := a.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	_, err = a.Client.CoreV1().ServiceAccounts(name).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

// writeRSAKey writes a new 2048-bit RSA key, PEM-encoded, to name.
func writeRSAKey(name string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	return os.WriteFile(name, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
}

// randomToken returns 32 random hex characters.
func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
