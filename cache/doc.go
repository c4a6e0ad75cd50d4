// Package cache holds the state a node keeps about images: an in-memory image [Store] that
// implements [pullpolicy.Store] the way a CRI runtime answers ImageStatus.
//
// Every type in this package is safe for concurrent use.
package cache
