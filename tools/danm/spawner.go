package main

// `danm spawner`: the danm daemon's process starter. The daemon (Node.js, a large process) would pay
// for every delegate plugin, nsenter and ip it runs with a fork of itself; this small process starts
// them instead (Go starts children without copying its address space). The daemon writes one JSON
// request per line on stdin and reads one JSON answer per line on stdout, matched by id; requests
// run concurrently. It exits when stdin closes, i.e. when the daemon is gone.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"sync"
)

type spawnRequest struct {
	ID    int64    `json:"id"`
	Path  string   `json:"path"`
	Args  []string `json:"args"`
	Env   []string `json:"env"`
	Stdin string   `json:"stdin"`
}

type spawnAnswer struct {
	ID     int64  `json:"id"`
	Code   int    `json:"code"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	// set when the process could not be started at all (no such file, not executable)
	Error string `json:"error,omitempty"`
}

func spawner() int {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64*1024), 64*1024*1024)
	out := json.NewEncoder(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	answer := func(a spawnAnswer) {
		mu.Lock()
		defer mu.Unlock()
		out.Encode(a)
	}
	for in.Scan() {
		var req spawnRequest
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			answer(spawnAnswer{ID: -1, Code: -1, Error: "unreadable request: " + err.Error()})
			continue
		}
		wg.Add(1)
		go func(req spawnRequest) {
			defer wg.Done()
			answer(run(req))
		}(req)
	}
	wg.Wait()
	return 0
}

func run(req spawnRequest) spawnAnswer {
	cmd := exec.Command(req.Path, req.Args...)
	cmd.Env = req.Env
	cmd.Stdin = bytes.NewBufferString(req.Stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	a := spawnAnswer{ID: req.ID, Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		a.Code = exit.ExitCode()
	default:
		a.Code = -1
		a.Error = err.Error()
	}
	return a
}
