package docker

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/network"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// These tests need no engine: they cover the pure pieces the integration tests exercise only indirectly.

func TestBuildArchive(t *testing.T) {
	files := []runtime.File{
		{Path: "/etc/app/a.conf", Mode: 0o600, UID: 999, GID: 998, Content: []byte("a")},
		{Path: "/b.txt", Content: []byte("bb")}, // no mode: 0644
	}
	dirs := []dirEntry{{path: "/etc/app/sub", uid: 1}, {path: "/etc/app", uid: 2}}
	data, err := buildArchive(files, dirs, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		name     string
		typ      byte
		mode     int64
		uid, gid int
		body     string
	}
	want := []entry{
		{"etc/app/", tar.TypeDir, 0o755, 2, 0, ""},
		{"etc/app/sub/", tar.TypeDir, 0o755, 1, 0, ""},
		{"etc/app/a.conf", tar.TypeReg, 0o600, 999, 998, "a"},
		{"b.txt", tar.TypeReg, 0o644, 0, 0, "bb"},
	}
	tr := tar.NewReader(bytes.NewReader(data))
	for i, w := range want {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		body, _ := io.ReadAll(tr)
		got := entry{hdr.Name, hdr.Typeflag, hdr.Mode, hdr.Uid, hdr.Gid, string(body)}
		if got != w {
			t.Errorf("entry %d = %+v, want %+v", i, got, w)
		}
	}
	if _, err := tr.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("extra entries after %d: %v", len(want), err)
	}
}

func TestValidateFiles(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"/etc/x", true},
		{"relative/x", false},
		{"/", false},
		{"/a/..", false},
	}
	for _, tc := range tests {
		err := validateFiles([]runtime.File{{Path: tc.path}})
		if (err == nil) != tc.ok {
			t.Errorf("validateFiles(%q) = %v, want ok=%v", tc.path, err, tc.ok)
		}
	}
}

func TestSameOwner(t *testing.T) {
	own := runtime.Labels{runtime.LabelCloud: "c", runtime.LabelResource: "/r", runtime.LabelRole: "server"}
	tests := []struct {
		name string
		have runtime.Labels
		want bool
	}{
		{"same, other labels differ", runtime.Labels{runtime.LabelCloud: "c", runtime.LabelResource: "/r", "x": "y"}, true},
		{"other resource", runtime.Labels{runtime.LabelCloud: "c", runtime.LabelResource: "/s"}, false},
		{"other cloud", runtime.Labels{runtime.LabelCloud: "d", runtime.LabelResource: "/r"}, false},
		{"unlabelled", nil, false},
	}
	for _, tc := range tests {
		if got := sameOwner(tc.have, own); got != tc.want {
			t.Errorf("%s: sameOwner = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !sameOwner(nil, runtime.Labels{}) {
		t.Error("two unowned objects must match")
	}
}

func TestNetworkInfo(t *testing.T) {
	id := "0123456789abcdef0123"
	tests := []struct {
		name                  string
		res                   network.Inspect
		subnet, gateway, brid string
	}{
		{"engine gateway", network.Inspect{ID: id, IPAM: network.IPAM{Config: []network.IPAMConfig{
			{Subnet: "fd00::/64", Gateway: "fd00::1"}, {Subnet: "10.1.2.0/24", Gateway: "10.1.2.254"},
		}}}, "10.1.2.0/24", "10.1.2.254", "br-0123456789ab"},
		{"derived gateway", network.Inspect{ID: id, IPAM: network.IPAM{Config: []network.IPAMConfig{{Subnet: "10.1.3.0/24"}}}},
			"10.1.3.0/24", "10.1.3.1", "br-0123456789ab"},
		{"named bridge", network.Inspect{ID: id, Options: map[string]string{bridgeNameOption: "flexpg0"}},
			"", "", "flexpg0"},
	}
	for _, tc := range tests {
		got := networkInfo(tc.res)
		if got.Subnet != tc.subnet || got.Gateway != tc.gateway || got.Bridge != tc.brid {
			t.Errorf("%s: networkInfo = %+v, want subnet %q gateway %q bridge %q", tc.name, got, tc.subnet, tc.gateway, tc.brid)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		notFound  bool
		conflict  bool
		keepsOrig bool
	}{
		{"not found", fmt.Errorf("no such container: %w", cerrdefs.ErrNotFound), true, false, true},
		{"conflict", fmt.Errorf("name in use: %w", cerrdefs.ErrConflict), false, true, true},
		{"other", errors.New("boom"), false, false, false},
	}
	for _, tc := range tests {
		got := classify(tc.err, "op %s", "x")
		if errors.Is(got, runtime.ErrNotFound) != tc.notFound || errors.Is(got, runtime.ErrConflict) != tc.conflict {
			t.Errorf("%s: classify = %v", tc.name, got)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("%s: original error lost from the chain", tc.name)
		}
		if tc.keepsOrig && !(cerrdefs.IsNotFound(got) || cerrdefs.IsConflict(got)) {
			t.Errorf("%s: errdefs class lost", tc.name)
		}
	}
	if classify(nil, "x") != nil {
		t.Error("classify(nil) must be nil")
	}
}
