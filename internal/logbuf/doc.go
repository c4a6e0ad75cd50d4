// Package logbuf is a buffer that concurrent writers may share, for tests that read what a
// logger wrote while the code under test keeps logging from other goroutines.
package logbuf
