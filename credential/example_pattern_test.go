package credential_test

import (
	"fmt"

	"github.com/imagepull/imagepull/credential"
)

// A matchImages glob matches one host label per "*", the port exactly, and a path prefix.
func ExamplePattern() {
	p, _ := credential.ParsePattern("*.azurecr.io")
	for _, image := range []string{"team.azurecr.io/app", "azurecr.io/app", "a.team.azurecr.io/app"} {
		fmt.Println(image, p.Match(image))
	}
	// Output:
	// team.azurecr.io/app true
	// azurecr.io/app false
	// a.team.azurecr.io/app false
}

// Credentials from several sources in one keyring: the most specific location first, whatever
// source gave it.
func ExampleNewKeyring() {
	sa := credential.Source{Kind: credential.SourceServiceAccount, Namespace: "team", Name: "builder", UID: "u1"}
	k := credential.NewKeyring([]credential.Entry{
		{Location: "registry.io", Credential: credential.Credential{Username: "node"}},
		{Location: "registry.io/team", Credential: credential.Credential{Username: "robot", Source: sa}},
	})
	fmt.Println(k.Lookup("registry.io/team/app"))
	// Output:
	// [user robot (service account team/builder) user node]
}
