package docker

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
	"sync"
	"time"

	"github.com/docker/docker/api/types/image"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// testboxRef is the test image: one static Go binary (testdata/testbox) as /testbox. Nothing can be pulled,
// so the tests build it themselves and import it.
const testboxRef = "flexpg/testbox:latest"

// testboxSourceLabel records which version of the program the image holds, so an image left by an older
// run is rebuilt rather than reused.
const testboxSourceLabel = "io.flexpg.testbox.source"

var (
	testboxOnce sync.Once
	testboxErr  error
)

// ensureTestbox makes sure the engine holds the current testbox image, building it at most once per run.
func ensureTestbox(ctx context.Context, r *Runtime) error {
	testboxOnce.Do(func() { testboxErr = buildTestbox(ctx, r) })
	return testboxErr
}

func buildTestbox(ctx context.Context, r *Runtime) error {
	src, err := os.ReadFile(filepath.Join("testdata", "testbox", "main.go"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(src)
	version := hex.EncodeToString(sum[:8])
	if img, err := r.cli.ImageInspect(ctx, testboxRef); err == nil && img.Config != nil &&
		img.Config.Labels[testboxSourceLabel] == version {
		return nil
	}
	bin, err := compileTestbox(ctx)
	if err != nil {
		return err
	}
	return importTestbox(ctx, r, bin, version)
}

// compileTestbox builds the program as a static Linux binary and returns its bytes.
func compileTestbox(ctx context.Context) ([]byte, error) {
	dir, err := os.MkdirTemp("", "flexpg-testbox-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "testbox")
	buildCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(buildCtx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "main.go")
	cmd.Dir = filepath.Join("testdata", "testbox")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build testbox: %w: %s", err, msg)
	}
	return os.ReadFile(out)
}

// importTestbox imports a root filesystem holding only /testbox as the test image.
func importTestbox(ctx context.Context, r *Runtime, bin []byte, version string) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: "testbox", Mode: 0o755, Size: int64(len(bin)), ModTime: time.Now()}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := tw.Write(bin); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	rc, err := r.cli.ImageImport(ctx, image.ImportSource{Source: &buf, SourceName: "-"}, testboxRef, image.ImportOptions{
		Changes: []string{
			`ENTRYPOINT ["/testbox"]`,
			"LABEL " + runtime.LabelManaged + "=true",
			"LABEL " + testboxSourceLabel + "=" + version,
		},
	})
	if err != nil {
		return fmt.Errorf("import testbox: %w", err)
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
