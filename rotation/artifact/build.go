package artifact

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ModulePath is the module whose go.mod marks the repository root, the
// directory the rotator is built from.
const ModulePath = "github.com/acme/secrets-platform"

// RotatorPackage is the Lambda main every Go rotator runs, relative to the
// module root.
const RotatorPackage = "./cmd/rotator"

// buildTimeout only stops a hung toolchain: a cold cross-compile of a package
// that imports the AWS SDK takes minutes on two shared cores.
const buildTimeout = 15 * time.Minute

// zipEpoch is the modification time of the one zip entry. 1980-01-01 00:00 is
// the earliest MS-DOS date, so it is what the zip format stores exactly.
const (
	zipEpochDate = 1<<5 | 1 // MS-DOS date: year 1980 (0), month 1, day 1
	zipEpochTime = 0        // MS-DOS time: 00:00:00
)

// BuildArgs says what to build and where the package goes.
type BuildArgs struct {
	// Root is the module root, the directory holding the go.mod of ModulePath.
	// Required (see ModuleRoot).
	Root string
	// Package is the main package, relative to Root. Default RotatorPackage.
	Package string
	// OutDir receives the zip. Default Root/bin (git-ignored).
	OutDir string
}

// Artifact is a packaged Lambda.
type Artifact struct {
	// Path is the zip, named by its content hash so that an unchanged build
	// names the same file and `pulumi preview` shows no change.
	Path string
	// SourceCodeHash is the base64 SHA-256 of the zip, the form Lambda reports
	// as CodeSha256 and the provider compares as sourceCodeHash.
	SourceCodeHash string
	// Size is the zip's length in bytes.
	Size int
	// Reused is true when an earlier build with the same inputs was reused.
	Reused bool
}

// ModuleRoot walks up from dir to the directory whose go.mod declares
// ModulePath. Nested modules (secretcache, internal/testenv) have go.mod files
// of their own, so the nearest go.mod is not necessarily the root.
func ModuleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for d := abs; ; {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && modulePath(data) == ModulePath {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("find module root: no go.mod declaring module %s above %s", ModulePath, abs)
		}
		d = parent
	}
}

// modulePath returns the path of a go.mod's module directive, "" if none.
func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module")
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		if i := strings.Index(rest, "//"); i >= 0 {
			rest = rest[:i]
		}
		return strings.Trim(strings.TrimSpace(rest), `"`)
	}
	return ""
}

// Build cross-compiles the package for Lambda's provided.al2023 runtime on
// arm64 and packages it with Package. It runs inside `pulumi up` (the program
// calls it once per run), so there is no separate build step to forget and
// the deployed code is always the code of the checkout being deployed.
//
// The flags make the binary a function of the source alone: -trimpath drops
// local paths, -buildvcs=false the checkout state, -buildid= the per-build id,
// and the go.mod toolchain line pins the compiler.
//
// When OutDir holds the zip of an earlier build with the same inputs (see
// inputKey), Build returns it without linking again.
func Build(ctx context.Context, a BuildArgs) (Artifact, error) {
	if a.Root == "" {
		return Artifact{}, errors.New("build rotator: Root is required")
	}
	if a.Package == "" {
		a.Package = RotatorPackage
	}
	if a.OutDir == "" {
		a.OutDir = filepath.Join(a.Root, "bin")
	}
	if err := os.MkdirAll(a.OutDir, 0o755); err != nil {
		return Artifact{}, fmt.Errorf("build rotator: %w", err)
	}
	// A key that cannot be computed only means building: go build then
	// reports whatever made go list fail.
	key, keyErr := inputKey(ctx, a.Root, a.Package)
	if keyErr == nil {
		if art, ok := reuse(a.OutDir, key); ok {
			return art, nil
		}
	}
	// A private work directory: two programs (or test processes) may build at
	// the same time into the same OutDir.
	work, err := os.MkdirTemp(a.OutDir, ".build-")
	if err != nil {
		return Artifact{}, fmt.Errorf("build rotator: %w", err)
	}
	defer os.RemoveAll(work)

	bin := filepath.Join(work, "bootstrap")
	if err := goBuild(ctx, a.Root, a.Package, bin); err != nil {
		return Artifact{}, err
	}
	exe, err := os.ReadFile(bin)
	if err != nil {
		return Artifact{}, fmt.Errorf("build rotator: read bootstrap: %w", err)
	}
	pkg, err := Package(exe)
	if err != nil {
		return Artifact{}, err
	}
	path := filepath.Join(a.OutDir, zipName(pkg))
	// Write then rename, so a reader never sees a half-written zip.
	tmp := filepath.Join(work, "rotator.zip")
	if err := os.WriteFile(tmp, pkg, 0o644); err != nil {
		return Artifact{}, fmt.Errorf("build rotator: write zip: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return Artifact{}, fmt.Errorf("build rotator: place zip: %w", err)
	}
	if keyErr == nil {
		remember(a.OutDir, work, key, path)
	}
	return Artifact{Path: path, SourceCodeHash: SourceCodeHash(pkg), Size: len(pkg)}, nil
}

func goBuild(ctx context.Context, root, pkg, out string) error {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	args := append(append([]string{"build"}, buildFlags()...), "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	// The build gets the environment minus the program's: Pulumi hands the
	// program its whole config (secret values included) in PULUMI_* variables,
	// which the compiler has no use for and which, for a large catalog, would
	// make exec fail with "argument list too long".
	cmd.Env = append(buildEnv(os.Environ()), crossEnv()...)
	// The compiler's messages name source lines, never secret values.
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build rotator %s for linux/arm64: %w\n%s", pkg, err, bytes.TrimSpace(msg))
	}
	return nil
}

// buildEnv drops the variables Pulumi sets for the program (PULUMI_CONFIG,
// PULUMI_CONFIG_SECRET_KEYS and the rest of PULUMI_*).
func buildEnv(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "PULUMI_") })
}

// Package zips a bootstrap executable so that the same executable always gives
// the same bytes: one entry named bootstrap, mode 0755, the MS-DOS epoch as its
// time, deflate at a fixed level, and no extra fields (archive/zip adds an
// extended-timestamp field only when Modified is set, so it is left zero and
// the MS-DOS fields are set directly).
func Package(bootstrap []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	h := &zip.FileHeader{
		Name:         "bootstrap",
		Method:       zip.Deflate,
		ModifiedDate: zipEpochDate,
		ModifiedTime: zipEpochTime,
	}
	// SetMode records a Unix creator, so Lambda's extractor keeps the exec bit.
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, fmt.Errorf("package bootstrap: %w", err)
	}
	if _, err := w.Write(bootstrap); err != nil {
		return nil, fmt.Errorf("package bootstrap: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("package bootstrap: %w", err)
	}
	return buf.Bytes(), nil
}

// SourceCodeHash is the base64-encoded SHA-256 of a deployment package.
func SourceCodeHash(pkg []byte) string {
	sum := sha256.Sum256(pkg)
	return base64.StdEncoding.EncodeToString(sum[:])
}
