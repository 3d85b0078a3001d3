package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/rest"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/component-base/featuregate"
	logsapi "k8s.io/component-base/logs/api/v1"
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics, as the real binaries do
	apiapp "k8s.io/kubernetes/cmd/kube-apiserver/app"
	apioptions "k8s.io/kubernetes/cmd/kube-apiserver/app/options"
	kcmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	kcmoptions "k8s.io/kubernetes/cmd/kube-controller-manager/app/options"
	"k8s.io/kubernetes/cmd/kube-controller-manager/names"
)

// ---------- etcd ----------

type etcdServer = *embed.Etcd

// etcdLogLevel is the level of etcd's zap logger; raised to fatal before Close so the
// expected "server closed" errors of a normal shutdown are not printed.
var etcdLogLevel = zap.NewAtomicLevelAt(zapcore.ErrorLevel)

type etcdPorts struct {
	Client int `json:"client"`
	Peer   int `json:"peer"`
}

// startEtcd starts an embedded single-member etcd on loopback. It tries to reuse the ports
// recorded in DIR/etcd-ports.json (so the member's peer URL stays stable across restarts) and
// falls back to fresh free ports, retrying a few times in case a port was taken meanwhile.
func startEtcd(dataDir string, ephemeral bool) (*embed.Etcd, string, error) {
	portsFile := filepath.Join(dataDir, "etcd-ports.json")
	var prev etcdPorts
	if data, err := os.ReadFile(portsFile); err == nil {
		_ = json.Unmarshal(data, &prev)
	}

	var lastErr error
	for attempt := 0; attempt < 4; attempt++ {
		ports := prev
		if attempt > 0 || ports.Client == 0 || ports.Peer == 0 || !portFree(ports.Client) || !portFree(ports.Peer) {
			var err error
			if ports.Client, err = freePort(); err != nil {
				return nil, "", err
			}
			if ports.Peer, err = freePort(); err != nil {
				return nil, "", err
			}
		}
		e, err := startEtcdOnce(dataDir, ephemeral, ports)
		if err == nil {
			if data, err := json.Marshal(ports); err == nil {
				_ = writeFileAtomic(portsFile, data, 0o600)
			}
			return e, "http://127.0.0.1:" + strconv.Itoa(ports.Client), nil
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	return nil, "", fmt.Errorf("start etcd: %w", lastErr)
}

func startEtcdOnce(dataDir string, ephemeral bool, ports etcdPorts) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Name = "controlplane"
	cfg.Dir = filepath.Join(dataDir, "etcd")
	clientURL := url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports.Client))}
	peerURL := url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports.Peer))}
	cfg.ListenClientUrls = []url.URL{clientURL}
	cfg.AdvertiseClientUrls = []url.URL{clientURL}
	cfg.ListenPeerUrls = []url.URL{peerURL}
	cfg.AdvertisePeerUrls = []url.URL{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.UnsafeNoFsync = ephemeral
	// The apiserver watch cache relies on progress notifications (same value as kcp/gke/openshift).
	cfg.WatchProgressNotifyInterval = 5 * time.Second
	// Keep the store small for a long-lived local default.
	cfg.AutoCompactionMode = "periodic"
	cfg.AutoCompactionRetention = "1h"

	zcfg := zap.NewProductionConfig()
	zcfg.Level = etcdLogLevel
	zcfg.OutputPaths = []string{"stderr"}
	zcfg.ErrorOutputPaths = []string{"stderr"}
	zcfg.Sampling = nil
	lg, err := zcfg.Build()
	if err != nil {
		return nil, err
	}
	cfg.Logger = "zap"
	cfg.LogLevel = "error"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("etcd failed: %w", err)
	case <-time.After(60 * time.Second):
		e.Server.Stop()
		e.Close()
		return nil, errors.New("etcd did not become ready within 60s")
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

// ---------- logging ----------

// benignLogLines are klog warnings/errors that a normal start of this single-process control
// plane always produces; hidden unless verbose.
var benignLogLines = [][]byte{
	// ~35 warnings on every start: beta/alpha group versions without enabled resources.
	[]byte("because it has no resources"),
	// Always logged with --endpoint-reconciler-type=none (its RemoveEndpoints is a no-op).
	[]byte("Found stale data, removed previous endpoints on kubernetes service"),
	// First start on an empty store: the identity lease controller retries until kube-system exists.
	[]byte(`"Failed to ensure lease exists, will retry" err="namespaces \"kube-system\" not found"`),
	[]byte(`kube-apiserver-legacy-service-account-token-tracking\", err: namespaces \"kube-system\" not found`),
}

// quietWriter drops klog info lines ("I...") and benignLogLines unless verbose; other warnings
// and errors pass through to stderr.
type quietWriter struct{ verbose bool }

func (w quietWriter) Write(p []byte) (int, error) {
	if !w.verbose && len(p) > 0 {
		if p[0] == 'I' {
			return len(p), nil
		}
		for _, b := range benignLogLines {
			if bytes.Contains(p, b) {
				return len(p), nil
			}
		}
	}
	return os.Stderr.Write(p)
}

// ---------- kube-apiserver ----------

type apiserverConfig struct {
	dataDir       string
	pki           pkiPaths
	listener      net.Listener
	port          int
	etcdURL       string
	tokenFile     string
	noSAAdmission bool
	verbosity     int
}

// startAPIServer configures kube-apiserver through its Options struct (as NewAPIServerCommand
// does, minus the cobra command and its signal handler) and runs it in a goroutine. The
// returned channel receives the result of apiapp.Run.
func startAPIServer(ctx context.Context, c apiserverConfig) (<-chan error, error) {
	s := apioptions.NewServerRunOptions()

	fs := pflag.NewFlagSet("kube-apiserver", pflag.ContinueOnError)
	for _, f := range s.Flags().FlagSets {
		fs.AddFlagSet(f)
	}
	args := []string{
		"--etcd-servers=" + c.etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--tls-cert-file=" + c.pki.ServingCert,
		"--tls-private-key-file=" + c.pki.ServingKey,
		"--client-ca-file=" + c.pki.CACert,
		"--token-auth-file=" + c.tokenFile,
		"--authorization-mode=Node,RBAC",
		"--enable-admission-plugins=NodeRestriction",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + c.pki.SAPub,
		"--service-account-signing-key-file=" + c.pki.SAKey,
		"--service-cluster-ip-range=" + serviceCIDR,
		"--allow-privileged=true",
		// Kubelets serve with certificates of the cluster CA and accept only authenticated,
		// authorized clients: exec, logs and port-forward go there with this client certificate
		// (RBAC: system:kubelet-api-admin). Nodes are reached at their InternalIP (node names
		// do not resolve here).
		"--kubelet-client-certificate=" + c.pki.KubeletClientCert,
		"--kubelet-client-key=" + c.pki.KubeletClientKey,
		"--kubelet-certificate-authority=" + c.pki.CACert,
		"--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
		// Webhooks and aggregated APIs named by a Service are reached at the Service's endpoints,
		// not its cluster IP: with no kube-proxy here, that is the only way an installed chart's
		// webhook (clientConfig.service) can be called (deploy/chart/install.int.test.ts).
		"--enable-aggregator-routing=true",
		"--profiling=false",
		// Bounded shutdown: stop the HTTP server at most 2s after in-flight requests drained
		// instead of waiting up to --request-timeout (60s) for open watches.
		"--shutdown-send-retry-after=true",
		"--v=" + strconv.Itoa(c.verbosity),
	}
	if c.noSAAdmission {
		// Without kube-controller-manager no ServiceAccount "default" is ever created, and the
		// ServiceAccount admission plugin would reject every Pod.
		args = append(args, "--disable-admission-plugins=ServiceAccount")
	}
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("kube-apiserver flags: %w", err)
	}
	// Pre-bound listener, as StartTestServer does: no race for the port.
	s.SecureServing.Listener = c.listener
	s.SecureServing.BindPort = c.port

	if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
		return nil, err
	}
	// kube-apiserver loopback clients should not log self-issued warnings.
	rest.SetDefaultWarningHandler(rest.NoWarnings{})

	fg := s.GenericServerRunOptions.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent)
	w := quietWriter{verbose: c.verbosity > 0}
	if err := logsapi.ValidateAndApplyWithOptions(s.Logs, &logsapi.LoggingOptions{ErrorStream: w, InfoStream: w}, fg); err != nil {
		return nil, err
	}
	completed, err := s.Complete(ctx)
	if err != nil {
		return nil, err
	}
	if errs := completed.Validate(); len(errs) != 0 {
		return nil, utilerrors.NewAggregate(errs)
	}
	if mfg, ok := fg.(featuregate.MutableFeatureGate); ok {
		mfg.AddMetrics()
	}

	errCh := make(chan error, 1)
	go func() { errCh <- apiapp.Run(ctx, completed) }()
	return errCh, nil
}

// ---------- kube-controller-manager ----------

// defaultControllers are what a small real cluster needs: namespaces, garbage collection,
// service accounts and RBAC aggregation, and the workload controllers behind `kubectl create
// deployment`, `rollout`, Jobs, DaemonSets and Services, node health (NotReady nodes are tainted,
// their Pods evicted) and Pod garbage collection.
var defaultControllers = []string{
	names.NamespaceController,
	names.GarbageCollectorController,
	names.ServiceAccountController,
	names.ServiceAccountTokenController,
	names.ClusterRoleAggregationController,
	names.ResourceQuotaController,
	names.RootCACertificatePublisherController,
	names.DeploymentController,
	names.ReplicaSetController,
	names.ReplicationControllerController,
	names.DaemonSetController,
	names.StatefulSetController,
	names.JobController,
	names.CronJobController,
	names.TTLAfterFinishedController,
	names.DisruptionController,
	names.EndpointsController,
	names.EndpointSliceController,
	names.EndpointSliceMirroringController,
	names.NodeLifecycleController,
	names.TaintEvictionController,
	names.PodGarbageCollectorController,
	names.TTLController,
}

// nodeHealthControllers act on Nodes whose kubelet stops reporting: they taint them, evict their
// Pods and delete Pods bound to Nodes that do not exist. Where no kubelet backs the Nodes
// (simulated nodes, tests that stand in for kubelets) they would remove those Pods.
var nodeHealthControllers = []string{names.NodeLifecycleController, names.TaintEvictionController, names.PodGarbageCollectorController}

// kcmControllers is the controller list of a --controllers value (nil: no kube-controller-manager).
func kcmControllers(value string) []string {
	switch value {
	case "default":
		return defaultControllers
	case "no-nodes":
		var list []string
		for _, c := range defaultControllers {
			if !slices.Contains(nodeHealthControllers, c) {
				list = append(list, c)
			}
		}
		return list
	}
	return nil
}

// startKCM runs the selected kube-controller-manager controllers in-process, without leader
// election and without the KCM HTTPS endpoint (BindPort 0 = don't serve).
func startKCM(ctx context.Context, kubeconfig string, pki pkiPaths, controllers []string) (<-chan error, error) {
	o, err := kcmoptions.NewKubeControllerManagerOptions()
	if err != nil {
		return nil, err
	}
	o.Generic.ClientConnection.Kubeconfig = kubeconfig
	o.Generic.Controllers = controllers
	o.Generic.LeaderElection.LeaderElect = false
	o.SecureServing.BindPort = 0
	o.SAController.ServiceAccountKeyFile = pki.SAKey
	o.SAController.RootCAFile = pki.CACert
	// The component globals registry is shared with (and was already Set() by) the apiserver.

	c, err := o.Config(ctx, kcmapp.KnownControllers(), kcmapp.ControllersDisabledByDefault(), kcmapp.ControllerAliases())
	if err != nil {
		return nil, err
	}
	errCh := make(chan error, 1)
	go func() { errCh <- kcmapp.Run(ctx, c.Complete()) }()
	return errCh, nil
}

// ---------- kube-scheduler ----------

// startScheduler runs kube-scheduler as a child process of this binary (`controlplane
// kube-scheduler`): it shares flag, feature-gate and metrics globals with kube-apiserver, so it
// gets its own process, which dies with ours (Pdeathsig) and is stopped with the context.
func startScheduler(ctx context.Context, kubeconfig string, verbosity int) (<-chan error, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "kube-scheduler",
		"--kubeconfig="+kubeconfig,
		"--authentication-kubeconfig="+kubeconfig,
		"--authorization-kubeconfig="+kubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
		"--v="+strconv.Itoa(verbosity),
	)
	cmd.Stdout = os.Stderr
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	// klog lines through the same filter as ours, one line at a time
	go func() {
		w := quietWriter{verbose: verbosity > 0}
		lines := bufio.NewScanner(stderr)
		lines.Buffer(make([]byte, 64*1024), 1024*1024)
		for lines.Scan() {
			_, _ = w.Write(append(lines.Bytes(), '\n'))
		}
	}()
	errCh := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		if err == nil {
			err = errors.New("exited")
		}
		errCh <- err
	}()
	go func() {
		<-ctx.Done()
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}()
	return errCh, nil
}
