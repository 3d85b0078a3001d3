// `danm --probe [--socket PATH] [--timeout DURATION]`: the tenet-cni DaemonSet's readiness and
// liveness probe (deploy/cni/daemonset.yaml, docs/cni.md "Daemon"). It sends the daemon a VERSION
// request over its socket, as the runtime's requests arrive, and succeeds only when the daemon
// answers it: a daemon that is not listening, has stopped accepting, or whose event loop is stuck
// fails the probe. (A plain `CNI_COMMAND=VERSION danm` is answered by the client itself and says
// nothing about the daemon.) The runtime never passes arguments to a CNI plugin, so the flag cannot
// be mistaken for a CNI request; the probe reads neither stdin nor CNI_*.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

func probe(args []string) int {
	flags := flag.NewFlagSet("danm --probe", flag.ContinueOnError)
	socket := flags.String("socket", defaultSocket, "the danm daemon's unix socket")
	timeout := flags.Duration("timeout", 5*time.Second, "how long the daemon has to answer")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	fail := func(format string, a ...interface{}) int {
		fmt.Fprintf(os.Stderr, "danm --probe: the danm daemon at %s: %s\n", *socket, fmt.Sprintf(format, a...))
		return 1
	}
	conn, err := net.DialTimeout("unix", *socket, *timeout)
	if err != nil {
		return fail("unreachable: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(*timeout))
	line, _ := json.Marshal(request{Env: map[string]string{"CNI_COMMAND": "VERSION"}, Stdin: `{"cniVersion":"1.0.0"}`})
	if _, err := conn.Write(append(line, '\n')); err != nil {
		return fail("sending a VERSION request: %v", err)
	}
	reply, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		return fail("no answer to a VERSION request within %s: %v", *timeout, err)
	}
	var a answer
	var version struct {
		SupportedVersions []string `json:"supportedVersions"`
	}
	if err := json.Unmarshal(reply, &a); err != nil || a.Code == nil {
		return fail("unreadable answer %q", string(reply))
	}
	if *a.Code != 0 || json.Unmarshal([]byte(a.Stdout), &version) != nil || len(version.SupportedVersions) == 0 {
		return fail("answered VERSION with code %d: %s", *a.Code, a.Stdout)
	}
	fmt.Printf("the danm daemon at %s answers (CNI versions %v)\n", *socket, version.SupportedVersions)
	return 0
}
