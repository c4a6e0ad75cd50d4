// Package peertest checks pullpolicy/dialect's parsers against the peers' own parsers, where
// those are Go modules: Podman's (go.podman.io/common pkg/config.ParsePullPolicy) and
// Compose's (github.com/compose-spec/compose-go/v2: the loader's schema validation, then
// ServiceConfig.GetPullPolicy). It is a separate module, with its own go.mod, so that the
// library's go.mod never requires the peers; CI runs it with
//
//	cd internal/peertest && go test ./...
//
// The package has no code of its own: everything is in its tests.
package peertest
