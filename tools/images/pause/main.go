// Command pause is the sandbox process of every Pod on the local default's real nodes (the
// image tenet.local/pause:1, tools/cli/nodeImages.ts). It holds the Pod's namespaces, reaps
// children re-parented to it when it is PID 1 of a shared PID namespace, and exits on SIGINT or
// SIGTERM.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
