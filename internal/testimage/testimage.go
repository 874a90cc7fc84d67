// Package testimage builds tiny images for tests: one static Go program as the whole root filesystem.
// Nothing can be pulled from a registry here, so tests compile their helper program and import it; a label
// records a hash of the program's source, so an image from an older version is replaced, not reused.
package testimage

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// sourceLabel carries the hash of the program the image was built from.
const sourceLabel = "io.flexpg.testimage.source"

// Ensure makes sure the engine holds ref built from the Go program in srcDir (its main.go), installed as
// /<binary> and used as the entrypoint.
func Ensure(ctx context.Context, cli *client.Client, ref, srcDir, binary string) error {
	src, err := os.ReadFile(filepath.Join(srcDir, "main.go"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(src)
	version := hex.EncodeToString(sum[:8])
	if img, err := cli.ImageInspect(ctx, ref); err == nil && img.Config != nil && img.Config.Labels[sourceLabel] == version {
		return nil
	}
	bin, err := compile(ctx, srcDir, binary)
	if err != nil {
		return err
	}
	return importBinary(ctx, cli, ref, binary, bin, version)
}

// compile builds the program as a static Linux binary and returns its bytes.
func compile(ctx context.Context, srcDir, binary string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "flexpg-testimage-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, binary)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "main.go")
	cmd.Dir = srcDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build %s: %w: %s", binary, err, msg)
	}
	return os.ReadFile(out)
}

// importBinary imports a root filesystem holding only /<binary>.
func importBinary(ctx context.Context, cli *client.Client, ref, binary string, bin []byte, version string) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: binary, Mode: 0o755, Size: int64(len(bin)), ModTime: time.Now()}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := tw.Write(bin); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	rc, err := cli.ImageImport(ctx, image.ImportSource{Source: &buf, SourceName: "-"}, ref, image.ImportOptions{
		Changes: []string{
			`ENTRYPOINT ["/` + binary + `"]`,
			"LABEL " + runtime.LabelManaged + "=true",
			"LABEL " + sourceLabel + "=" + version,
		},
	})
	if err != nil {
		return fmt.Errorf("import %s: %w", ref, err)
	}
	defer rc.Close()
	return streamError(rc)
}

// streamError reads an engine progress stream to its end and returns the first error it reports.
func streamError(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if msg.Error != "" {
			return errors.New(msg.Error)
		}
	}
}
