// Command fakeplugin is a kubelet credential provider plugin for the tests of
// credential/plugin. It speaks the exec protocol with its own types, reads the request on
// stdin and answers per image; flags (a provider's args) tell it to misbehave.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

type request struct {
	Kind                      string            `json:"kind"`
	APIVersion                string            `json:"apiVersion"`
	Image                     string            `json:"image"`
	ServiceAccountToken       string            `json:"serviceAccountToken,omitempty"`
	ServiceAccountAnnotations map[string]string `json:"serviceAccountAnnotations,omitempty"`
}

type auth struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func main() {
	calls := flag.String("calls", "", "append one line per run (the image) to this file")
	requests := flag.String("requests", "", "append each request, as received, to this file")
	sleep := flag.Duration("sleep", 0, "sleep this long before answering")
	exit := flag.Int("exit", 0, "exit with this status (after writing -stderr)")
	stderr := flag.String("stderr", "", "write this to stderr")
	keyType := flag.String("cache-key-type", "Image", "cacheKeyType of the answer")
	duration := flag.String("cache-duration", "", "cacheDuration of the answer; empty leaves it out")
	output := flag.String("output", "ok", "ok, garbage, huge, wrong-kind, unknown-field, echo-token, empty, child")
	username := flag.String("username", "user", "username of the answer")
	password := flag.String("password", "", "password of the answer; empty means pass-<image>")
	passwordEnv := flag.String("password-env", "", "take the password from this environment variable")
	authKeys := flag.String("auth-keys", "", "comma-separated auth keys; empty means the image")
	apiVersion := flag.String("api-version", "", "apiVersion of the answer; empty means the request's")
	echoStderr := flag.Bool("echo-stderr", false, "write the request and the answer's password to stderr")
	exitAfter := flag.Int("exit-after", 0, "exit with this status after writing the answer")
	pidFile := flag.String("pidfile", "", "append this process's PID, as /proc shows it, to this file")
	flag.Parse()
	if *pidFile != "" {
		// The PID as the test sees it, also when the plugin runs in a PID namespace of its own
		// (/proc is the parent namespace's).
		self, err := os.Readlink("/proc/self")
		if err != nil {
			self = fmt.Sprint(os.Getpid())
		}
		appendTo(*pidFile, self+"\n")
	}

	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading stdin: %v", err)
	}
	var req request
	if err := json.Unmarshal(in, &req); err != nil {
		fail("decoding the request: %v", err)
	}
	appendTo(*calls, req.Image+"\n")
	appendTo(*requests, string(in))
	if *stderr != "" {
		fmt.Fprint(os.Stderr, *stderr)
	}
	if *exit != 0 {
		os.Exit(*exit)
	}
	time.Sleep(*sleep)

	version := req.APIVersion
	if *apiVersion != "" {
		version = *apiVersion
	}
	pass := "pass-" + req.Image
	if *password != "" {
		pass = *password
	}
	if *passwordEnv != "" {
		pass = os.Getenv(*passwordEnv)
	}
	if *echoStderr {
		fmt.Fprintf(os.Stderr, "request: %s\npassword: %s\n", in, pass)
	}
	keys := []string{req.Image}
	if *authKeys != "" {
		keys = strings.Split(*authKeys, ",")
	}
	resp := map[string]any{"kind": "CredentialProviderResponse", "apiVersion": version, "cacheKeyType": *keyType}
	if *duration != "" {
		resp["cacheDuration"] = *duration
	}
	authMap := map[string]auth{}
	for _, k := range keys {
		authMap[k] = auth{Username: *username, Password: pass}
	}
	resp["auth"] = authMap

	switch *output {
	case "ok":
	case "garbage":
		fmt.Print("this is not JSON at all")
		return
	case "huge":
		chunk := []byte(strings.Repeat("a", 1<<16))
		for range 1600 { // 100 MiB
			if _, err := os.Stdout.Write(chunk); err != nil {
				os.Exit(3)
			}
		}
		return
	case "wrong-kind":
		resp["kind"] = "CredentialProviderRequest"
	case "unknown-field":
		resp["extra"] = true
	case "echo-token":
		for k := range authMap {
			authMap[k] = auth{Username: *username, Password: req.ServiceAccountToken}
		}
	case "empty":
		delete(resp, "auth")
	case "child":
		// A descendant that would outlive the plugin, holding its stdout open.
		child := exec.Command(os.Args[0], "-sleep", "1h", "-pidfile", *calls+".child")
		child.Stdout, child.Stdin = os.Stdout, strings.NewReader(`{"image":"child"}`)
		if err := child.Start(); err != nil {
			fail("starting the child: %v", err)
		}
		waitForFile(*calls + ".child")
	case "setsid-child", "setsid-grandchild":
		// A descendant that leaves the plugin's process group and session, holding nothing
		// open, as a daemon does; "setsid-grandchild" has it start one more before it sleeps.
		args := []string{"-sleep", "1h", "-output", "ok", "-pidfile", *calls + ".child"}
		if *output == "setsid-grandchild" {
			args = []string{"-output", "setsid-child", "-calls", *calls + ".grand", "-pidfile", *calls + ".child"}
		}
		child := exec.Command(os.Args[0], args...)
		child.Stdin = strings.NewReader(`{"image":"child"}`)
		child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := child.Start(); err != nil {
			fail("starting the child: %v", err)
		}
		waitForFile(*calls + ".child")
		if *output == "setsid-grandchild" {
			_ = child.Wait() // the grandchild is orphaned at once
		}
	default:
		fail("unknown -output %q", *output)
	}
	if err := json.NewEncoder(os.Stdout).Encode(resp); err != nil {
		fail("encoding the response: %v", err)
	}
	if *exitAfter != 0 {
		os.Exit(*exitAfter)
	}
}

// waitForFile waits until the file at path is not empty: a child has written its PID.
func waitForFile(path string) {
	for range 10000 {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	fail("no PID in %s", path)
}

func appendTo(path, s string) {
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		fail("opening %s: %v", path, err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		fail("writing %s: %v", path, err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "fakeplugin: "+format+"\n", args...)
	os.Exit(2)
}
