package registrytest_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// Start a registry, push an image, resolve its tag with a HEAD request and count the request.
func Example() {
	ctx := context.Background()
	r, err := registrytest.Start(registrytest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()

	d, err := r.PushRandom(ctx, "app:v1")
	if err != nil {
		fmt.Println(err)
		return
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodHead, r.URL()+"/v2/app/manifests/v1", http.NoBody)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()

	fmt.Println(resp.StatusCode, resp.Header.Get("Docker-Content-Digest") == d.String())
	fmt.Println("HEADs:", r.Count(http.MethodHead, "/v2/app/manifests/v1"))
	// Output:
	// 200 true
	// HEADs: 1
}

// Make the next manifest request fail with 429 Too Many Requests and a Retry-After header.
func ExampleRegistry_Inject() {
	ctx := context.Background()
	r, err := registrytest.Start(registrytest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	if _, err := r.PushRandom(ctx, "app:v1"); err != nil {
		fmt.Println(err)
		return
	}

	_, err = r.Inject(registrytest.Fault{
		PathPrefix: "/v2/app/manifests/", Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second, Times: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 {
		resp, err := http.Get(r.URL() + "/v2/app/manifests/v1")
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Output:
	// 429 2
	// 200
}

// Stop the registry to make it unreachable, then restart it on the same address.
func ExampleRegistry_Stop() {
	r, err := registrytest.Start(registrytest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

	r.Stop()
	_, err = client.Get(r.URL() + "/v2/")
	fmt.Println("stopped, request failed:", err != nil)

	if err := r.Restart(); err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.Get(r.URL() + "/v2/")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println("restarted:", resp.StatusCode)
	// Output:
	// stopped, request failed: true
	// restarted: 200
}
