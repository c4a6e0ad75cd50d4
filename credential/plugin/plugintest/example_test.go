package plugintest_test

import (
	"context"
	"fmt"

	"github.com/imagepull/imagepull/credential/plugin"
	"github.com/imagepull/imagepull/credential/plugin/plugintest"
)

// The in-memory API server answers what a plugin in service-account mode needs: the service
// account's UID and annotations, and a token bound to the pod.
func ExampleServiceAccounts() {
	accounts := &plugintest.ServiceAccounts{}
	accounts.Add("team", "builder", plugin.ServiceAccount{UID: "sa-1", Annotations: map[string]string{"example.com/role": "pull"}})
	ctx := context.Background()

	sa, _ := accounts.ServiceAccount(ctx, "team", "builder")
	token, _ := accounts.Token(ctx, plugin.TokenRequest{Namespace: "team", ServiceAccountName: "builder",
		ServiceAccountUID: sa.UID, Audience: "registry.example.com", PodName: "app", PodUID: "pod-1"})
	fmt.Println(sa.UID, sa.Annotations["example.com/role"], token)
	_, err := accounts.ServiceAccount(ctx, "team", "ghost")
	fmt.Println(err)
	// Output:
	// sa-1 pull token:team/builder:sa-1:registry.example.com:pod-1:0
	// serviceaccounts "ghost" not found
}
