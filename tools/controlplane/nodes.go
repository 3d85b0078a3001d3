package main

// The node side of the local default. Like hyperkube did, the controlplane binary also carries
// the Kubernetes components of a node, so one build (and one cached binary) serves all of them:
//
//	controlplane kubelet [kubelet flags]       the kubelet of k8s.io/kubernetes
//	controlplane kube-scheduler [flags]        the scheduler (the control plane starts it itself)
//	controlplane certificate --data-dir DIR --cert F --key F --cn CN [--org O]... [--ip IP]... [--dns NAME]... [--client]
//	                                           a certificate signed by the cluster CA of DIR/pki
//	controlplane netns-proxy --netns PATH --listen ADDR --connect ADDR
//	                                           serves ADDR inside a network namespace, connecting to
//	                                           ADDR in this process's own namespace (how kubelets
//	                                           in node namespaces reach the API server on loopback)

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register" // --logging-format=json, as the real binaries
	schedulerapp "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubeletapp "k8s.io/kubernetes/cmd/kubelet/app"
)

// subcommand runs a node-side subcommand when os.Args names one; ok is false otherwise.
func subcommand(args []string) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	case "kubelet":
		cmd := kubeletapp.NewKubeletCommand(context.Background())
		cmd.SetArgs(args[1:])
		return cli.Run(cmd), true
	case "kube-scheduler":
		cmd := schedulerapp.NewSchedulerCommand()
		cmd.SetArgs(args[1:])
		return cli.Run(cmd), true
	case "certificate":
		return runCertificate(args[1:]), true
	case "netns-proxy":
		return runNetnsProxy(args[1:]), true
	}
	return 0, false
}

func runCertificate(args []string) int {
	var (
		dataDir, certFile, keyFile, cn string
		orgs, dns                      []string
		ips                            []net.IP
		client                         bool
	)
	fs := pflag.NewFlagSet("certificate", pflag.ContinueOnError)
	fs.StringVar(&dataDir, "data-dir", "", "the control plane's --data-dir (its CA signs)")
	fs.StringVar(&certFile, "cert", "", "certificate file to write (PEM)")
	fs.StringVar(&keyFile, "key", "", "key file to write (PEM)")
	fs.StringVar(&cn, "cn", "", "subject common name (the user name for a client certificate)")
	fs.StringSliceVar(&orgs, "org", nil, "subject organisations (the groups for a client certificate)")
	fs.StringSliceVar(&dns, "dns", nil, "DNS subject alternative names")
	fs.IPSliceVar(&ips, "ip", nil, "IP subject alternative names")
	fs.BoolVar(&client, "client", false, "a client certificate (default: serving)")
	if err := fs.Parse(args); err != nil {
		logf("certificate: %v", err)
		return 2
	}
	if dataDir == "" || certFile == "" || keyFile == "" || cn == "" {
		logf("certificate: --data-dir, --cert, --key and --cn are required")
		return 2
	}
	p := newPKIPaths(dataDir)
	caCert, caKey, err := loadPair(p.CACert, p.CAKey)
	if err != nil {
		logf("certificate: the CA of %s: %v (start the control plane once first)", dataDir, err)
		return 1
	}
	for _, f := range []string{certFile, keyFile} {
		if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
			logf("certificate: %v", err)
			return 1
		}
	}
	if err := ensureLeaf(certFile, keyFile, leafSpec{cn: cn, org: orgs, dns: dns, ips: ips, client: client}, caCert, caKey); err != nil {
		logf("certificate: %v", err)
		return 1
	}
	return 0
}

func runNetnsProxy(args []string) int {
	var netnsPath, listen, connect string
	fs := pflag.NewFlagSet("netns-proxy", pflag.ContinueOnError)
	fs.StringVar(&netnsPath, "netns", "", "network namespace to listen in (a file such as /var/run/netns/NAME)")
	fs.StringVar(&listen, "listen", "127.0.0.1:6443", "TCP address to serve inside that namespace")
	fs.StringVar(&connect, "connect", "", "TCP address to connect to from this process's namespace")
	if err := fs.Parse(args); err != nil {
		logf("netns-proxy: %v", err)
		return 2
	}
	if netnsPath == "" || connect == "" {
		logf("netns-proxy: --netns and --connect are required")
		return 2
	}
	ln, err := listenInNetns(netnsPath, listen)
	if err != nil {
		logf("netns-proxy: %v", err)
		return 1
	}
	logf("netns-proxy: %s in %s -> %s", listen, netnsPath, connect)
	sigCh := make(chan os.Signal, 1)
	signal.Notify(sigCh, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigCh
		ln.Close()
	}()
	var wg sync.WaitGroup
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				wg.Wait()
				return 0
			}
			logf("netns-proxy: accept: %v", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			pipe(conn, connect)
		}()
	}
}

// listenInNetns opens a TCP listener inside the network namespace at path. The socket belongs
// to the namespace it was created in, so a thread enters the namespace, listens and is then
// discarded (a locked goroutine that returns without unlocking takes its thread with it).
func listenInNetns(path, addr string) (net.Listener, error) {
	type result struct {
		ln  net.Listener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open(path)
		if err != nil {
			ch <- result{err: err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{err: fmt.Errorf("enter %s: %w", path, err)}
			return
		}
		ln, err := net.Listen("tcp", addr)
		ch <- result{ln, err}
	}()
	r := <-ch
	return r.ln, r.err
}

func pipe(in net.Conn, connect string) {
	defer in.Close()
	out, err := net.DialTimeout("tcp", connect, 5*time.Second)
	if err != nil {
		logf("netns-proxy: %v", err)
		return
	}
	defer out.Close()
	done := make(chan struct{}, 2)
	copyHalf := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go copyHalf(out, in)
	go copyHalf(in, out)
	<-done
	<-done
}
