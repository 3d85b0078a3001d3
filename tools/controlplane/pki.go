package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// pkiPaths are the files under DIR/pki.
type pkiPaths struct {
	CACert, CAKey           string
	ServingCert, ServingKey string
	SAKey, SAPub            string
	WebhookCert, WebhookKey string
	// KubeletClientCert/Key: how kube-apiserver authenticates to kubelets (exec, logs, port-forward).
	KubeletClientCert, KubeletClientKey string
}

func newPKIPaths(dir string) pkiPaths {
	p := func(name string) string { return filepath.Join(dir, "pki", name) }
	return pkiPaths{
		CACert: p("ca.crt"), CAKey: p("ca.key"),
		ServingCert: p("apiserver.crt"), ServingKey: p("apiserver.key"),
		SAKey: p("sa.key"), SAPub: p("sa.pub"),
		WebhookCert: p("webhook.crt"), WebhookKey: p("webhook.key"),
		KubeletClientCert: p("apiserver-kubelet-client.crt"), KubeletClientKey: p("apiserver-kubelet-client.key"),
	}
}

// leafSpec describes a certificate signed by the CA: a serving certificate, or with client
// set a client certificate whose subject (CN = user, O = groups) is what the API server or a
// kubelet authenticates.
type leafSpec struct {
	cn     string
	org    []string
	dns    []string
	ips    []net.IP
	client bool
}

// ensurePKI creates (or reuses) the CA, the apiserver and webhook serving certificates and
// the service-account key pair. Existing files are kept if they parse, match and are valid
// for at least another day; anything else is regenerated.
func ensurePKI(dir string, serviceIP net.IP) (pkiPaths, error) {
	p := newPKIPaths(dir)
	if err := os.MkdirAll(filepath.Dir(p.CACert), 0o700); err != nil {
		return p, err
	}

	caCert, caKey, err := loadPair(p.CACert, p.CAKey)
	if err != nil || !caCert.IsCA || expiresSoon(caCert) {
		caCert, caKey, err = newCA()
		if err != nil {
			return p, fmt.Errorf("create CA: %w", err)
		}
		if err := writePair(p.CACert, p.CAKey, caCert, caKey); err != nil {
			return p, err
		}
		// A new CA invalidates every leaf: force regeneration.
		for _, f := range []string{p.ServingCert, p.ServingKey, p.WebhookCert, p.WebhookKey, p.KubeletClientCert, p.KubeletClientKey} {
			_ = os.Remove(f)
		}
	}

	leaves := []struct {
		cert, key string
		spec      leafSpec
	}{
		{p.ServingCert, p.ServingKey, leafSpec{
			cn:  "kube-apiserver",
			dns: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
			ips: []net.IP{net.ParseIP("127.0.0.1"), serviceIP},
		}},
		{p.WebhookCert, p.WebhookKey, leafSpec{
			cn:  "tenet-webhook",
			dns: []string{"localhost"},
			ips: []net.IP{net.ParseIP("127.0.0.1")},
		}},
		{p.KubeletClientCert, p.KubeletClientKey, leafSpec{cn: kubeletClientUser, client: true}},
	}
	for _, l := range leaves {
		if err := ensureLeaf(l.cert, l.key, l.spec, caCert, caKey); err != nil {
			return p, err
		}
	}

	// Service-account signing key pair (ES256).
	if _, err := loadKey(p.SAKey); err != nil || !fileExists(p.SAPub) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return p, err
		}
		if err := writeKey(p.SAKey, key); err != nil {
			return p, err
		}
		der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			return p, err
		}
		if err := writePEM(p.SAPub, "PUBLIC KEY", der, 0o644); err != nil {
			return p, err
		}
	}
	return p, nil
}

// ensureLeaf keeps CERT/KEY when they are signed by the CA, valid for another day and match
// the spec; otherwise it issues a new pair.
func ensureLeaf(certFile, keyFile string, spec leafSpec, caCert *x509.Certificate, caKey crypto.Signer) error {
	cert, _, err := loadPair(certFile, keyFile)
	if err == nil && !expiresSoon(cert) && cert.CheckSignatureFrom(caCert) == nil && coversSpec(cert, spec) {
		return nil
	}
	cert, key, err := newLeaf(spec, caCert, caKey)
	if err != nil {
		return fmt.Errorf("create %s: %w", certFile, err)
	}
	return writePair(certFile, keyFile, cert, key)
}

func coversSpec(c *x509.Certificate, s leafSpec) bool {
	if c.Subject.CommonName != s.cn || !slices.Equal(c.Subject.Organization, s.org) {
		return false
	}
	if s.client != slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageClientAuth) {
		return false
	}
	for _, d := range s.dns {
		if !slices.Contains(c.DNSNames, d) {
			return false
		}
	}
	for _, ip := range s.ips {
		if !slices.ContainsFunc(c.IPAddresses, ip.Equal) {
			return false
		}
	}
	return true
}

func expiresSoon(c *x509.Certificate) bool {
	return time.Now().Add(24 * time.Hour).After(c.NotAfter)
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

func newCA() (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: "tenet-controlplane-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func newLeaf(s leafSpec, ca *x509.Certificate, caKey crypto.Signer) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: s.cn, Organization: s.org},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(2 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     s.dns,
		IPAddresses:  s.ips,
	}
	if s.client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func loadPair(certFile, keyFile string) (*x509.Certificate, crypto.Signer, error) {
	data, err := os.ReadFile(certFile)
	if err != nil {
		return nil, nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, nil, errors.New("no certificate PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := loadKey(keyFile)
	if err != nil {
		return nil, nil, err
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(key.Public()) {
		return nil, nil, errors.New("key does not match certificate")
	}
	return cert, key, nil
}

func loadKey(file string) (*ecdsa.PrivateKey, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "EC PRIVATE KEY" {
		return nil, errors.New("no EC PRIVATE KEY PEM block")
	}
	return x509.ParseECPrivateKey(block.Bytes)
}

func writePair(certFile, keyFile string, cert *x509.Certificate, key crypto.Signer) error {
	if err := writeKey(keyFile, key.(*ecdsa.PrivateKey)); err != nil {
		return err
	}
	return writePEM(certFile, "CERTIFICATE", cert.Raw, 0o644)
}

func writeKey(file string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(file, "EC PRIVATE KEY", der, 0o600)
}

func writePEM(file, typ string, der []byte, mode os.FileMode) error {
	return writeFileAtomic(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

// writeFileAtomic writes via a temp file + rename so readers never see a partial file.
func writeFileAtomic(file string, data []byte, mode os.FileMode) error {
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

func fileExists(f string) bool {
	_, err := os.Stat(f)
	return err == nil
}
