package main

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	adminUser = "admin"
	// kcmUser is the identity the in-process kube-controller-manager uses (group system:masters).
	kcmUser = "system:kube-controller-manager"
	// schedulerUser is kube-scheduler's identity; the bootstrap ClusterRoles system:kube-scheduler
	// and system:volume-scheduler are bound to exactly this name.
	schedulerUser = "system:kube-scheduler"
	// kubeletClientUser is the subject of kube-apiserver's client certificate towards kubelets.
	kubeletClientUser = "kube-apiserver-kubelet-client"
)

type userSpec struct {
	Name   string
	Groups []string
}

type tokenEntry struct {
	Token, Name, UID string
	Groups           []string
}

// userFlag collects repeatable --user NAME=GROUP1,GROUP2 values.
type userFlag struct{ users []userSpec }

func (u *userFlag) String() string { return "" }
func (u *userFlag) Type() string   { return "NAME=GROUP1,GROUP2" }
func (u *userFlag) Set(v string) error {
	name, groupList, ok := strings.Cut(v, "=")
	name = strings.TrimSpace(name)
	if !ok {
		return fmt.Errorf("--user %q: want NAME=GROUP1,GROUP2 (NAME= for no groups)", v)
	}
	if err := validName(name); err != nil {
		return fmt.Errorf("--user %q: %w", v, err)
	}
	if name == adminUser || name == kcmUser || name == schedulerUser {
		return fmt.Errorf("--user %q: %q is reserved (always created by controlplane)", v, name)
	}
	var groups []string
	for _, g := range strings.Split(groupList, ",") {
		if g = strings.TrimSpace(g); g == "" {
			continue
		}
		if strings.ContainsAny(g, "\"\r\n") {
			return fmt.Errorf("--user %q: invalid group %q", v, g)
		}
		groups = append(groups, g)
	}
	for i, existing := range u.users {
		if existing.Name == name {
			u.users[i].Groups = groups // last one wins
			return nil
		}
	}
	u.users = append(u.users, userSpec{Name: name, Groups: groups})
	return nil
}

func validName(n string) error {
	if n == "" {
		return errors.New("empty user name")
	}
	if strings.ContainsAny(n, ",\"\r\n/\\") {
		return fmt.Errorf("user name %q must not contain , \" / \\ or newlines", n)
	}
	return nil
}

// ensureTokens reads DIR/tokens.csv, keeps the tokens of users already there (their groups are
// updated to what was asked for now), appends new users with fresh random tokens and rewrites the
// file. Users present in the file but not requested now stay in the file unchanged.
func ensureTokens(file string, want []userSpec) (map[string]string, error) {
	var entries []tokenEntry
	if data, err := os.ReadFile(file); err == nil {
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		records, err := r.ReadAll()
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		for _, rec := range records {
			if len(rec) < 3 || rec[0] == "" {
				continue
			}
			e := tokenEntry{Token: rec[0], Name: rec[1], UID: rec[2]}
			if len(rec) >= 4 && rec[3] != "" {
				e.Groups = strings.Split(rec[3], ",")
			}
			entries = append(entries, e)
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}

	tokens := map[string]string{}
	for _, u := range want {
		idx := -1
		for i := range entries {
			if entries[i].Name == u.Name {
				idx = i
				break
			}
		}
		if idx < 0 {
			tok, err := randomToken()
			if err != nil {
				return nil, err
			}
			entries = append(entries, tokenEntry{Token: tok, Name: u.Name, UID: u.Name})
			idx = len(entries) - 1
		}
		entries[idx].Groups = u.Groups
		tokens[u.Name] = entries[idx].Token
	}

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, e := range entries {
		rec := []string{e.Token, e.Name, e.UID}
		if len(e.Groups) > 0 {
			rec = append(rec, strings.Join(e.Groups, ","))
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(file, buf.Bytes(), 0o600); err != nil {
		return nil, err
	}
	return tokens, nil
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// kubeconfigFileName maps a user name to a file name (e.g. "system:foo" -> "system_foo").
func kubeconfigFileName(user string) string {
	return unsafeFileChars.ReplaceAllString(user, "_") + ".kubeconfig"
}

func writeKubeconfig(file, server string, caPEM []byte, user, token string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["tenet-local"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: token}
	ctxName := user + "@tenet-local"
	cfg.Contexts[ctxName] = &clientcmdapi.Context{Cluster: "tenet-local", AuthInfo: user, Namespace: "default"}
	cfg.CurrentContext = ctxName
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	return writeFileAtomic(file, data, 0o600)
}
