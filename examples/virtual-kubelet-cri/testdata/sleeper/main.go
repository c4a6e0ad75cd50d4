// Command sleeper is the one program of the test images of examples/virtual-kubelet-cri: the
// pod sandbox's pause process and the app container. It prints a line and waits for SIGTERM or
// SIGINT.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	fmt.Println("sleeper", os.Args[0], "started")
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	<-ch
}
