package artifact

import (
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
	"strings"
)

// The build is keyed by its inputs so that a program run whose inputs did not
// change reuses the zip of an earlier run instead of linking again (every
// mocks test runs the whole program, and `go build` always relinks). The zip
// itself stays named by its content hash; a small index file maps the input
// key to it.
//
// The inputs are: the Go toolchain and the settings that change its output,
// the flags, the main module's go.mod and go.sum (go and godebug lines change
// the binary), every dependency outside the module by path and version (the
// module cache is immutable and checked against go.sum), and the content of
// every file of the module's own packages the build compiles or embeds.

// buildTags selects the Lambda runtime API client without the legacy RPC mode.
const buildTags = "lambda.norpc"

// buildFlags are the go build flags, as they also enter the input key.
func buildFlags() []string {
	return []string{"-tags", buildTags, "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid="}
}

// crossEnv is the target platform of every rotator build.
func crossEnv() []string { return []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"} }

// listedPackage is the part of `go list -json` the key reads.
type listedPackage struct {
	ImportPath string
	Dir        string
	Standard   bool
	Module     *struct {
		Path    string
		Version string
		Replace *struct {
			Path    string
			Version string
		}
	}
	GoFiles, EmbedFiles, SFiles, SysoFiles []string
}

// inputKey hashes everything that decides the bytes of the build of pkg.
func inputKey(ctx context.Context, root, pkg string) (string, error) {
	h := sha256.New()
	env, err := goOutput(ctx, root, "env", "-json", "GOVERSION", "GOFLAGS", "GOEXPERIMENT", "GOARM64", "GODEBUG")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "env %s\nflags %q\ntarget %q\npackage %s\n", env, buildFlags(), crossEnv(), pkg)
	for _, f := range []string{"go.mod", "go.sum"} {
		if err := hashFile(h, filepath.Join(root, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	listed, err := goOutput(ctx, root, "list", "-deps", "-json=ImportPath,Dir,Standard,Module,GoFiles,EmbedFiles,SFiles,SysoFiles", "-tags", buildTags, pkg)
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(bytes.NewReader(listed))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("read go list: %w", err)
		}
		fmt.Fprintf(h, "pkg %s\n", p.ImportPath)
		switch {
		case p.Standard:
			// The toolchain version covers the standard library.
		case p.Module != nil && p.Module.Replace == nil && p.Module.Version != "":
			fmt.Fprintf(h, "module %s@%s\n", p.Module.Path, p.Module.Version)
		case p.Module != nil && p.Module.Replace != nil && p.Module.Replace.Version != "":
			fmt.Fprintf(h, "module %s@%s\n", p.Module.Replace.Path, p.Module.Replace.Version)
		default:
			// The main module, or a module replaced by a local directory.
			for _, group := range [][]string{p.GoFiles, p.EmbedFiles, p.SFiles, p.SysoFiles} {
				for _, f := range group {
					fmt.Fprintf(h, "file %s\n", f)
					if err := hashFile(h, filepath.Join(p.Dir, f)); err != nil {
						return "", err
					}
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// reuse returns the artifact an earlier build with the same inputs left in
// outDir, checking that the zip is still the one the index names.
func reuse(outDir, key string) (Artifact, bool) {
	name, err := os.ReadFile(indexPath(outDir, key))
	if err != nil {
		return Artifact{}, false
	}
	path := filepath.Join(outDir, filepath.Base(strings.TrimSpace(string(name))))
	pkg, err := os.ReadFile(path)
	if err != nil || filepath.Base(path) != zipName(pkg) {
		return Artifact{}, false
	}
	return Artifact{Path: path, SourceCodeHash: SourceCodeHash(pkg), Size: len(pkg), Reused: true}, true
}

// remember records which zip a build with these inputs made. Failing to
// write the index only costs the next run a rebuild.
func remember(outDir, work, key, zipPath string) {
	tmp := filepath.Join(work, "index")
	if err := os.WriteFile(tmp, []byte(filepath.Base(zipPath)+"\n"), 0o644); err == nil {
		_ = os.Rename(tmp, indexPath(outDir, key))
	}
}

func indexPath(outDir, key string) string {
	return filepath.Join(outDir, "rotator-inputs-"+key[:32])
}

func zipName(pkg []byte) string {
	sum := sha256.Sum256(pkg)
	return "rotator-" + hex.EncodeToString(sum[:8]) + ".zip"
}

func hashFile(h io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("hash build input: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("hash build input %s: %w", path, err)
	}
	return nil
}

// goOutput runs the go command for the build's target platform, with the
// environment goBuild gets (none of the program's PULUMI_* variables).
func goOutput(ctx context.Context, root string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(buildEnv(os.Environ()), crossEnv()...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", args[0], err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}
