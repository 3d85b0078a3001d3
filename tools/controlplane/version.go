package main

import (
	"runtime/debug"
	"strings"
	_ "unsafe" // go:linkname

	"k8s.io/component-base/version"
)

// Release builds of kube-apiserver get their version via -ldflags -X; a plain `go build` of this
// module would report "v0.0.0-master+$Format:%H$" on /version (kubectl version cannot parse
// that). Fill the version variables from the module version of k8s.io/kubernetes recorded in the
// binary's build info instead, unless -ldflags already set them.

//go:linkname gitVersion k8s.io/component-base/version.gitVersion
var gitVersion string

//go:linkname gitMajor k8s.io/component-base/version.gitMajor
var gitMajor string

//go:linkname gitMinor k8s.io/component-base/version.gitMinor
var gitMinor string

//go:linkname gitCommit k8s.io/component-base/version.gitCommit
var gitCommit string

//go:linkname gitTreeState k8s.io/component-base/version.gitTreeState
var gitTreeState string

func init() {
	if !strings.HasPrefix(gitVersion, "v0.0.0") {
		return
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	for _, dep := range bi.Deps {
		if dep.Path != "k8s.io/kubernetes" {
			continue
		}
		v := dep.Version // e.g. v1.34.3
		parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
		if len(parts) < 2 {
			return
		}
		gitVersion, gitMajor, gitMinor = v, parts[0], parts[1]
		gitCommit, gitTreeState = "", "clean"
		_ = version.SetDynamicVersion(v)
		return
	}
}
