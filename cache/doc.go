// Package cache holds the state a node keeps about images, behind the interfaces of
// [github.com/imagepull/imagepull/pullpolicy]:
//
//   - [Store] ([NewStore]): an in-memory local image store, answering [pullpolicy.Store] lookups
//     by tag or by digest the way a CRI runtime answers ImageStatus.
//   - [Resolver] ([NewResolver]): a caching decorator for any [pullpolicy.Resolver], with a
//     TTL, optional negative caching, one upstream call for concurrent resolves of a reference,
//     opt-in stale-if-error during registry outages, identity scoping, and answers kept per
//     set of credentials for a [kubelet.CredentialResolver] upstream.
//   - [FileRecords] ([NewFileRecords]): the kubelet's KEP-2535 pull records (intents and pulled
//     records) in the kubelet's own directory layout and file format, written crash-safely;
//     [CachedRecords] ([NewCachedRecords]) is the kubelet's write-through LRU in front of them.
//
// Every type in this package is safe for concurrent use.
package cache
