package images

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteRootTar(t *testing.T) {
	root := t.TempDir()
	mk := func(rel string, mode os.FileMode, text string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	mk("usr/bin/tool", 0o755|os.ModeSetuid, "binary")
	mk("etc/conf", 0o600, "secret")
	mk("proc/self/status", 0o644, "must not be archived")
	if err := os.Link(filepath.Join(root, "usr/bin/tool"), filepath.Join(root, "usr/bin/tool-alias")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("usr/bin", filepath.Join(root, "bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(root, "etc/conf"), 100, 102); err != nil {
		t.Skipf("cannot chown (not root?): %v", err)
	}

	var buf bytes.Buffer
	if err := writeRootTar(root, &buf); err != nil {
		t.Fatal(err)
	}
	got := map[string]*tar.Header{}
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = h
	}

	if h := got["usr/bin/tool"]; h == nil || h.Mode&0o7777 != 0o4755 || h.Typeflag != tar.TypeReg || h.Size != 6 {
		t.Errorf("setuid file header = %+v", h)
	}
	// The two names of a hard-linked file are one file and one link, whichever the walk meets first.
	a, b := got["usr/bin/tool"], got["usr/bin/tool-alias"]
	if a == nil || b == nil || b.Typeflag != tar.TypeLink || b.Linkname != "usr/bin/tool" {
		t.Errorf("hard link header = %+v", b)
	}
	if h := got["etc/conf"]; h == nil || h.Uid != 100 || h.Gid != 102 || h.Uname != "" || h.Mode&0o777 != 0o600 {
		t.Errorf("owned file header = %+v", h)
	}
	if h := got["bin"]; h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "usr/bin" {
		t.Errorf("symlink header = %+v", h)
	}
	if _, ok := got["proc/"]; !ok {
		t.Error("proc directory itself is missing")
	}
	if _, ok := got["proc/self/status"]; ok {
		t.Error("contents of proc were archived")
	}
}
