// Command controlplane runs a real kube-apiserver (k8s.io/kubernetes as a Go module), an
// embedded etcd and the kube-controller-manager controllers a small cluster needs in one process
// on 127.0.0.1, plus kube-scheduler as a child process, for `npm start` and the integration tests
// of tenet. The same binary carries the node side (nodes.go): `controlplane kubelet …`,
// `controlplane certificate …` and `controlplane netns-proxy …`.
//
//	controlplane --data-dir DIR [--port N] [--ephemeral] [--user NAME=GROUP1,GROUP2 ...]
//	             [--controllers default|no-nodes|none] [-v N]
//
// DIR holds pki/ (CA, apiserver and webhook serving certs, SA key pair), tokens.csv, etcd/,
// kubeconfigs/<user>.kubeconfig and, while running, state.json; all of it is reused on restart
// (--ephemeral: etcd without fsync and DIR removed on exit). When the control plane is ready
// (readyz, namespace default, and with controllers ServiceAccount default/default) it prints
// exactly one JSON line to stdout and writes the same JSON to DIR/state.json; everything else
// goes to stderr. SIGINT/SIGTERM shut down cleanly (exit 0); startup failures exit non-zero.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
	_ "time/tzdata" // CronJob time zones, as kube-apiserver does

	"github.com/spf13/pflag"
	"go.uber.org/zap/zapcore"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const (
	serviceCIDR     = "10.96.0.0/12"
	readyzTimeout   = 90 * time.Second
	objectsTimeout  = 60 * time.Second
	shutdownTimeout = 8 * time.Second
)

var serviceIP = net.ParseIP("10.96.0.1") // first address of serviceCIDR: the "kubernetes" Service

type state struct {
	Ready           bool              `json:"ready"`
	Server          string            `json:"server"`
	Port            int               `json:"port"`
	CAFile          string            `json:"caFile"`
	WebhookCertFile string            `json:"webhookCertFile"`
	WebhookKeyFile  string            `json:"webhookKeyFile"`
	Kubeconfigs     map[string]string `json:"kubeconfigs"`
	Tokens          map[string]string `json:"tokens"`
	PID             int               `json:"pid"`
	DataDir         string            `json:"dataDir"`
}

func main() {
	if code, ok := subcommand(os.Args[1:]); ok {
		os.Exit(code)
	}
	os.Exit(run())
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "controlplane: "+format+"\n", args...)
}

func run() int {
	var (
		dataDir     string
		port        int
		ephemeral   bool
		users       userFlag
		controllers string
		verbosity   int
	)
	fs := pflag.NewFlagSet("controlplane", pflag.ContinueOnError)
	fs.StringVar(&dataDir, "data-dir", "", "directory for PKI, tokens, etcd data and kubeconfigs (required; kept across restarts)")
	fs.IntVar(&port, "port", 0, "kube-apiserver port on 127.0.0.1 (0 = pick a free port)")
	fs.BoolVar(&ephemeral, "ephemeral", false, "etcd without fsync; remove --data-dir on exit (tests)")
	fs.Var(&users, "user", "static token user NAME=GROUP1,GROUP2 (repeatable; NAME= for no groups)")
	fs.StringVar(&controllers, "controllers", "default", "kube-controller-manager controllers: default, no-nodes (without node health and Pod GC: for Nodes that no kubelet backs) or none")
	fs.IntVarP(&verbosity, "verbosity", "v", 0, "klog verbosity; 0 also hides klog info lines")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		logf("%v", err)
		return 2
	}
	if dataDir == "" {
		logf("--data-dir is required")
		return 2
	}
	if controllers != "default" && controllers != "no-nodes" && controllers != "none" {
		logf("--controllers must be default, no-nodes or none, got %q", controllers)
		return 2
	}
	if port < 0 || port > 65535 {
		logf("--port %d out of range", port)
		return 2
	}
	if fs.NArg() > 0 {
		logf("unexpected arguments: %v", fs.Args())
		return 2
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		logf("%v", err)
		return 2
	}
	dataDir = abs

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigCh := make(chan os.Signal, 2)
	signal.Notify(sigCh, syscall.SIGINT, syscall.SIGTERM)

	cp := &controlPlane{dataDir: dataDir, ephemeral: ephemeral}
	defer cp.cleanup()

	ready := make(chan error, 1)
	go func() { ready <- cp.start(ctx, port, users.users, kcmControllers(controllers), verbosity) }()

	select {
	case sig := <-sigCh:
		logf("received %v during startup, shutting down", sig)
		cancel()
		select {
		case <-ready:
		case <-time.After(shutdownTimeout):
		}
		cp.stop()
		return 0
	case err := <-ready:
		if err != nil {
			logf("startup failed: %v", err)
			cancel()
			cp.stop()
			return 1
		}
	}

	select {
	case sig := <-sigCh:
		logf("received %v, shutting down", sig)
		cancel()
		cp.stop()
		return 0
	case err := <-cp.apiErr:
		logf("kube-apiserver exited: %v", err)
	case err := <-cp.kcmErr:
		logf("kube-controller-manager exited: %v", err)
	case err := <-cp.schedulerErr:
		logf("kube-scheduler exited: %v", err)
	case err := <-cp.etcd.Err():
		logf("etcd failed: %v", err)
	}
	cancel()
	cp.stop()
	return 1
}

type controlPlane struct {
	dataDir   string
	ephemeral bool
	lockFile  *os.File
	etcd      etcdServer
	apiErr    <-chan error
	kcmErr    <-chan error
	// schedulerErr stays nil (never ready) without the controllers
	schedulerErr <-chan error
	apiDone      chan struct{}
	createdDir   bool
}

func (cp *controlPlane) start(ctx context.Context, port int, users []userSpec, controllers []string, verbosity int) error {
	withKCM := len(controllers) > 0
	t0 := time.Now()
	if _, err := os.Stat(cp.dataDir); os.IsNotExist(err) {
		cp.createdDir = true
	}
	if err := os.MkdirAll(cp.dataDir, 0o700); err != nil {
		return err
	}
	if err := cp.lock(); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(cp.dataDir, "state.json"))

	pki, err := ensurePKI(cp.dataDir, serviceIP)
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	caPEM, err := os.ReadFile(pki.CACert)
	if err != nil {
		return err
	}

	all := append([]userSpec{{Name: adminUser, Groups: []string{"system:masters"}}, {Name: kcmUser, Groups: []string{"system:masters"}}, {Name: schedulerUser}}, users...)
	tokenFile := filepath.Join(cp.dataDir, "tokens.csv")
	tokens, err := ensureTokens(tokenFile, all)
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}

	// Bind the apiserver port first so a fixed --port that is taken fails before etcd starts.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("listen on 127.0.0.1:%d: %w", port, err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	server := "https://127.0.0.1:" + strconv.Itoa(port)

	e, etcdURL, err := startEtcd(cp.dataDir, cp.ephemeral)
	if err != nil {
		ln.Close()
		return err
	}
	cp.etcd = e
	logf("etcd ready at %s (%.1fs)", etcdURL, time.Since(t0).Seconds())

	// Kubeconfigs: admin and every --user (rewritten on each start: the port may change).
	kubeconfigs := map[string]string{}
	userTokens := map[string]string{}
	for _, u := range all {
		if u.Name == kcmUser || u.Name == schedulerUser {
			continue
		}
		f := filepath.Join(cp.dataDir, "kubeconfigs", kubeconfigFileName(u.Name))
		if err := writeKubeconfig(f, server, caPEM, u.Name, tokens[u.Name]); err != nil {
			return err
		}
		kubeconfigs[u.Name] = f
		userTokens[u.Name] = tokens[u.Name]
	}
	kcmKubeconfig := filepath.Join(cp.dataDir, "controller-manager.kubeconfig")
	if err := writeKubeconfig(kcmKubeconfig, server, caPEM, kcmUser, tokens[kcmUser]); err != nil {
		return err
	}
	schedulerKubeconfig := filepath.Join(cp.dataDir, "scheduler.kubeconfig")
	if err := writeKubeconfig(schedulerKubeconfig, server, caPEM, schedulerUser, tokens[schedulerUser]); err != nil {
		return err
	}

	apiErr, err := startAPIServer(ctx, apiserverConfig{
		dataDir: cp.dataDir, pki: pki, listener: ln, port: port, etcdURL: etcdURL,
		tokenFile: tokenFile, noSAAdmission: !withKCM, verbosity: verbosity,
	})
	if err != nil {
		ln.Close()
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	// Fan the apiserver result out: the main loop and stop() both want it.
	cp.apiDone = make(chan struct{})
	apiErrOut := make(chan error, 1)
	go func() {
		err := <-apiErr
		if err == nil {
			err = errors.New("exited")
		}
		apiErrOut <- err
		close(cp.apiDone)
	}()
	cp.apiErr = apiErrOut

	if err := waitReadyz(ctx, server, caPEM, tokens[adminUser], apiErrOut); err != nil {
		return err
	}
	logf("kube-apiserver ready at %s (%.1fs)", server, time.Since(t0).Seconds())

	restCfg := &rest.Config{Host: server, BearerToken: tokens[adminUser], TLSClientConfig: rest.TLSClientConfig{CAData: caPEM}}
	client, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		return err
	}
	if err := waitFor(ctx, "namespace default", apiErrOut, func(c context.Context) error {
		_, err := client.CoreV1().Namespaces().Get(c, "default", metav1.GetOptions{})
		return err
	}); err != nil {
		return err
	}

	if withKCM {
		kcmErr, err := startKCM(ctx, kcmKubeconfig, pki, controllers)
		if err != nil {
			return fmt.Errorf("kube-controller-manager: %w", err)
		}
		cp.kcmErr = kcmErr
		if err := waitFor(ctx, "ServiceAccount default/default", apiErrOut, func(c context.Context) error {
			_, err := client.CoreV1().ServiceAccounts("default").Get(c, "default", metav1.GetOptions{})
			return err
		}); err != nil {
			return err
		}
		schedulerErr, err := startScheduler(ctx, schedulerKubeconfig, verbosity)
		if err != nil {
			return fmt.Errorf("kube-scheduler: %w", err)
		}
		cp.schedulerErr = schedulerErr
	}
	// kube-apiserver's client certificate may use the kubelet API (exec, logs, port-forward)
	if err := waitFor(ctx, "ClusterRoleBinding for the kubelet client", apiErrOut, func(c context.Context) error {
		return ensureKubeletClientBinding(c, client)
	}); err != nil {
		return err
	}

	st := state{
		Ready: true, Server: server, Port: port, CAFile: pki.CACert,
		WebhookCertFile: pki.WebhookCert, WebhookKeyFile: pki.WebhookKey,
		Kubeconfigs: kubeconfigs, Tokens: userTokens, PID: os.Getpid(), DataDir: cp.dataDir,
	}
	line, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(cp.dataDir, "state.json"), append(line, '\n'), 0o600); err != nil {
		return err
	}
	logf("ready in %.1fs", time.Since(t0).Seconds())
	if _, err := os.Stdout.Write(append(line, '\n')); err != nil {
		return err
	}
	return nil
}

func ensureKubeletClientBinding(ctx context.Context, client kubernetes.Interface) error {
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "tenet:kube-apiserver-kubelet-client"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "system:kubelet-api-admin"},
		Subjects:   []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: kubeletClientUser}},
	}
	_, err := client.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// waitReadyz polls GET /readyz with the admin token every 100 ms until it answers 200.
func waitReadyz(ctx context.Context, server string, caPEM []byte, token string, apiErr <-chan error) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	hc := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(readyzTimeout)
	last := "no answer yet"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := hc.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kube-apiserver not ready after %v; last /readyz: %s", readyzTimeout, last)
		}
		select {
		case err := <-apiErr:
			return fmt.Errorf("kube-apiserver exited during startup: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func waitFor(ctx context.Context, what string, apiErr <-chan error, get func(context.Context) error) error {
	deadline := time.Now().Add(objectsTimeout)
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := get(c)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		select {
		case err := <-apiErr:
			return fmt.Errorf("kube-apiserver exited during startup: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lock takes an exclusive flock on DIR/.lock so two instances never share one etcd data dir.
func (cp *controlPlane) lock() error {
	f, err := os.OpenFile(filepath.Join(cp.dataDir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return fmt.Errorf("data dir %s is in use by another controlplane process", cp.dataDir)
	}
	cp.lockFile = f
	return nil
}

// stop waits (bounded) for the apiserver to drain after the context was cancelled, then
// closes etcd.
func (cp *controlPlane) stop() {
	if cp.apiDone != nil {
		select {
		case <-cp.apiDone:
		case <-time.After(shutdownTimeout):
			logf("kube-apiserver did not stop within %v; closing etcd anyway", shutdownTimeout)
		}
	}
	if cp.etcd != nil {
		etcdLogLevel.SetLevel(zapcore.FatalLevel)
		done := make(chan struct{})
		go func() { cp.etcd.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			logf("etcd did not close within 3s")
		}
	}
}

// cleanup removes state.json (and the whole data dir with --ephemeral) and releases the lock.
func (cp *controlPlane) cleanup() {
	if cp.lockFile == nil {
		// Never got the lock: the directory belongs to someone else (or was never created).
		if cp.ephemeral && cp.createdDir {
			_ = os.RemoveAll(cp.dataDir)
		}
		return
	}
	_ = os.Remove(filepath.Join(cp.dataDir, "state.json"))
	if cp.ephemeral {
		_ = os.RemoveAll(cp.dataDir)
	}
	_ = cp.lockFile.Close()
}
