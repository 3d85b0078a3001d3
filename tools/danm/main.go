// danm: the CNI executable the container runtime runs. It only passes the request on: the CNI_*
// environment and the netconf read from stdin go to tenet's danm daemon on this node over a unix
// socket (netconf "daemonSocket", default /run/tenet/danm.sock), and the daemon's answer is printed
// with its exit code. IPAM, DanmEps, delegation and rollback happen in the daemon
// (server/cni/daemon.ts, docs/cni.md), which keeps its clients warm across requests.
//
// Standard library only, so it starts in a millisecond and builds without the module proxy.
// VERSION is answered here, without the daemon. When the daemon cannot be reached the request fails
// at once with CNI error 11 ("try again later") naming the socket: the runtime retries ADD and DEL,
// and nothing is half done, because nothing was started.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

const (
	defaultSocket         = "/run/tenet/danm.sock"
	defaultTimeoutSeconds = 30
	errTryAgainLater      = 11
	errDecodeFailure      = 6
)

// The versions the daemon's protocol.ts SUPPORTED_VERSIONS lists; a test compares the two.
var supportedVersions = []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0"}

type netconf struct {
	CNIVersion     string  `json:"cniVersion"`
	DaemonSocket   string  `json:"daemonSocket"`
	TimeoutSeconds float64 `json:"timeoutSeconds"`
}

type request struct {
	Env   map[string]string `json:"env"`
	Stdin string            `json:"stdin"`
}

type answer struct {
	Code   *int   `json:"code"`
	Stdout string `json:"stdout"`
}

type cniError struct {
	CNIVersion string `json:"cniVersion"`
	Code       int    `json:"code"`
	Msg        string `json:"msg"`
	Details    string `json:"details,omitempty"`
}

func fail(version string, code int, msg, details string) int {
	if version == "" {
		version = "1.0.0"
	}
	out, _ := json.Marshal(cniError{CNIVersion: version, Code: code, Msg: msg, Details: details})
	os.Stdout.Write(append(out, '\n'))
	return 1
}

func forward() int {
	stdin, err := io.ReadAll(os.Stdin)
	if err != nil {
		return fail("", errDecodeFailure, "danm: reading the network configuration from stdin: "+err.Error(), "")
	}
	var conf netconf
	if len(strings.TrimSpace(string(stdin))) > 0 {
		if err := json.Unmarshal(stdin, &conf); err != nil && os.Getenv("CNI_COMMAND") != "VERSION" {
			return fail("", errDecodeFailure, "the network configuration on stdin is not JSON: "+err.Error(), "")
		}
	}
	if os.Getenv("CNI_COMMAND") == "VERSION" {
		version := conf.CNIVersion
		if version == "" {
			version = "1.0.0"
		}
		out, _ := json.Marshal(map[string]interface{}{"cniVersion": version, "supportedVersions": supportedVersions})
		os.Stdout.Write(append(out, '\n'))
		return 0
	}
	socket := conf.DaemonSocket
	if socket == "" {
		socket = defaultSocket
	}
	timeout := conf.TimeoutSeconds
	if timeout <= 0 {
		timeout = defaultTimeoutSeconds
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "CNI_") {
			env[k] = v
		}
	}
	what := fmt.Sprintf("%s of container %s", env["CNI_COMMAND"], env["CNI_CONTAINERID"])
	conn, err := net.DialTimeout("unix", socket, 2*time.Second)
	if err != nil {
		return fail(conf.CNIVersion, errTryAgainLater, fmt.Sprintf("danm: %s: the danm daemon is unreachable at %s: %v", what, socket, err), "the tenet CNI daemon (tenet cni-daemon, the tenet-cni DaemonSet) must run on this node; the runtime retries")
	}
	defer conn.Close()
	// the daemon answers by its hard stop, a second before the budget; this is the last resort
	conn.SetDeadline(time.Now().Add(time.Duration(timeout*float64(time.Second)) + 2*time.Second))
	line, _ := json.Marshal(request{Env: env, Stdin: string(stdin)})
	if _, err := conn.Write(append(line, '\n')); err != nil {
		return fail(conf.CNIVersion, errTryAgainLater, fmt.Sprintf("danm: %s: sending the request to the danm daemon at %s: %v", what, socket, err), "")
	}
	reply, err := bufio.NewReaderSize(conn, 64*1024).ReadBytes('\n')
	if err != nil {
		return fail(conf.CNIVersion, errTryAgainLater, fmt.Sprintf("danm: %s: the danm daemon at %s did not answer (%v); it may have restarted, the runtime retries", what, socket, err), "")
	}
	var a answer
	if err := json.Unmarshal(reply, &a); err != nil || a.Code == nil {
		return fail(conf.CNIVersion, errTryAgainLater, fmt.Sprintf("danm: %s: the danm daemon at %s answered something unreadable", what, socket), string(reply))
	}
	if a.Stdout != "" {
		os.Stdout.WriteString(strings.TrimRight(a.Stdout, "\n") + "\n")
	}
	return *a.Code
}

func main() {
	// the runtime never passes arguments to a CNI plugin: an argument is one of the other modes
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "spawner":
			os.Exit(spawner())
		case "--probe":
			os.Exit(probe(os.Args[2:]))
		}
	}
	os.Exit(forward())
}
