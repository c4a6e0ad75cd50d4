// Package kubelettest provides test doubles for code that embeds the kubelet's image manager,
// as net/http/httptest does for HTTP: a [Runtime] that is both the node's image store and
// its puller, identifies images the way a CRI runtime does and records every pull with the
// credentials it carried, and a [Clock] that moves only when told.
//
// For a real registry on loopback use registry/registrytest; for a resolver from a map, use
// pullpolicy/pullpolicytest.
package kubelettest
