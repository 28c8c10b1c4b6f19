package artifact_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotation/artifact"
)

// helloPackage is a tiny main, so the reproducibility test does not pay for
// the whole rotator twice; the stack tests build the real one.
const helloPackage = "./rotation/artifact/testdata/hello"

func TestModuleRootFindsTheRootModuleFromASubdirectory(t *testing.T) {
	root, err := artifact.ModuleRoot(".")
	require.NoError(t, err)
	wd, err := os.Getwd()
	require.NoError(t, err)
	want := filepath.Dir(filepath.Dir(wd))
	assert.Equal(t, want, root, "got root %s, want %s, two levels above rotation/artifact", root, want)

	// A nested module (secretcache) must not be mistaken for the root.
	fromNested, err := artifact.ModuleRoot(filepath.Join(root, "secretcache"))
	require.NoError(t, err)
	assert.Equal(t, root, fromNested, "got %s from secretcache, want %s", fromNested, root)

	_, err = artifact.ModuleRoot(t.TempDir())
	assert.Error(t, err, "got no error outside the repository, want one")
}

func TestBuildIsReproducible(t *testing.T) {
	root, err := artifact.ModuleRoot(".")
	require.NoError(t, err)
	out := t.TempDir()
	build := func() (artifact.Artifact, []byte) {
		a, err := artifact.Build(context.Background(), artifact.BuildArgs{Root: root, Package: helloPackage, OutDir: out})
		require.NoError(t, err)
		b, err := os.ReadFile(a.Path)
		require.NoError(t, err)
		return a, b
	}
	first, firstBytes := build()
	// Clean the output directory, so the second build cannot reuse the first zip.
	require.NoError(t, os.RemoveAll(out))
	second, secondBytes := build()

	assert.True(t, bytes.Equal(firstBytes, secondBytes), "got two different zips (%d and %d bytes), want identical bytes", len(firstBytes), len(secondBytes))
	assert.Equal(t, first.SourceCodeHash, second.SourceCodeHash, "got hashes %s and %s, want equal", first.SourceCodeHash, second.SourceCodeHash)
	assert.Equal(t, first.Path, second.Path, "got paths %s and %s, want the same content-named file", first.Path, second.Path)
	assert.False(t, second.Reused, "got a reused build after the output dir was cleaned, want a fresh one")
	assert.Equal(t, artifact.SourceCodeHash(secondBytes), second.SourceCodeHash, "got a hash that is not the zip's")
	assert.Equal(t, len(secondBytes), second.Size)
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Len(t, names, 2, "got %v in the output dir, want the zip and its input index (no leftover work dirs)", names)
}

func TestBuildReusesAnUnchangedBuildOnly(t *testing.T) {
	// A module of its own, so the test can change a source file.
	root := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(content), 0o644))
	}
	write("go.mod", "module example.com/reuse\n\ngo 1.26\n")
	write("main.go", "package main\n\nfunc main() { println(\"one\") }\n")
	args := artifact.BuildArgs{Root: root, Package: ".", OutDir: filepath.Join(root, "bin")}

	first, err := artifact.Build(context.Background(), args)
	require.NoError(t, err)
	assert.False(t, first.Reused, "got a reused first build")
	again, err := artifact.Build(context.Background(), args)
	require.NoError(t, err)
	assert.True(t, again.Reused, "got a rebuild of unchanged inputs, want the earlier zip")
	assert.Equal(t, first.SourceCodeHash, again.SourceCodeHash)

	write("main.go", "package main\n\nfunc main() { println(\"two\") }\n")
	changed, err := artifact.Build(context.Background(), args)
	require.NoError(t, err)
	assert.False(t, changed.Reused, "got the old zip after a source change, want a rebuild")
	assert.NotEqual(t, first.SourceCodeHash, changed.SourceCodeHash, "got the same hash after a source change")

	// A zip replaced behind the index's back is not trusted.
	require.NoError(t, os.WriteFile(changed.Path, []byte("not the zip"), 0o644))
	rebuilt, err := artifact.Build(context.Background(), args)
	require.NoError(t, err)
	assert.False(t, rebuilt.Reused, "got a tampered zip reused, want a rebuild")
	assert.Equal(t, changed.SourceCodeHash, rebuilt.SourceCodeHash)
}

func TestBuildTargetsLinuxArm64(t *testing.T) {
	root, err := artifact.ModuleRoot(".")
	require.NoError(t, err)
	a, err := artifact.Build(context.Background(), artifact.BuildArgs{Root: root, Package: helloPackage, OutDir: t.TempDir()})
	require.NoError(t, err)
	zr, err := zip.OpenReader(a.Path)
	require.NoError(t, err)
	defer zr.Close()
	require.Len(t, zr.File, 1)
	f, err := zr.File[0].Open()
	require.NoError(t, err)
	defer f.Close()
	head := make([]byte, 20)
	_, err = f.Read(head)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x7f, 'E', 'L', 'F'}, head[:4], "got %x, want an ELF executable", head[:4])
	// e_machine at offset 18, little-endian: 0xB7 is EM_AARCH64.
	assert.Equal(t, byte(0xb7), head[18], "got e_machine %#x, want 0xb7 (arm64)", head[18])
}

func TestBuildReportsACompileError(t *testing.T) {
	root, err := artifact.ModuleRoot(".")
	require.NoError(t, err)
	_, err = artifact.Build(context.Background(), artifact.BuildArgs{Root: root, Package: "./rotation/artifact/testdata/does-not-exist", OutDir: t.TempDir()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "build rotator ./rotation/artifact/testdata/does-not-exist")
	_, err = artifact.Build(context.Background(), artifact.BuildArgs{})
	assert.ErrorContains(t, err, "Root is required")
}

func TestPackageHasOneFixedEntry(t *testing.T) {
	exe := bytes.Repeat([]byte("not really an executable "), 1000)
	a, err := artifact.Package(exe)
	require.NoError(t, err)
	b, err := artifact.Package(exe)
	require.NoError(t, err)
	assert.Equal(t, a, b, "got two different packages of the same bytes")

	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	require.NoError(t, err)
	require.Len(t, zr.File, 1, "got %d entries, want 1", len(zr.File))
	f := zr.File[0]
	tests := []struct {
		name      string
		got, want any
	}{
		{"name", f.Name, "bootstrap"},
		{"mode", f.Mode().Perm(), os.FileMode(0o755)},
		{"method", f.Method, zip.Deflate},
		{"modified", f.Modified.UTC(), time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"extra fields", len(f.Extra), 0},
		{"comment", zr.Comment, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got, "got %v, want %v", tt.got, tt.want)
		})
	}
	rc, err := f.Open()
	require.NoError(t, err)
	defer rc.Close()
	var got bytes.Buffer
	_, err = got.ReadFrom(rc)
	require.NoError(t, err)
	assert.Equal(t, exe, got.Bytes(), "got different content back from the zip")

	other, err := artifact.Package(append(exe, '!'))
	require.NoError(t, err)
	assert.NotEqual(t, artifact.SourceCodeHash(a), artifact.SourceCodeHash(other), "got the same hash for different executables")
}

// TestBuildDoesNotInheritTheProgramsConfig: Pulumi hands the program its
// config in PULUMI_CONFIG; no go command the build runs may get it (a large
// catalog's config exceeds what exec passes, and it may hold secret values).
// The second build is reused only if the cache key's go env and go list ran,
// so a reuse shows those did not inherit it either.
func TestBuildDoesNotInheritTheProgramsConfig(t *testing.T) {
	root, err := artifact.ModuleRoot(".")
	require.NoError(t, err)
	// Linux refuses one environment string over 128 KiB.
	t.Setenv("PULUMI_CONFIG", `{"secrets-platform:secrets":"`+strings.Repeat("x", 200<<10)+`"}`)
	out := t.TempDir()
	_, err = artifact.Build(context.Background(), artifact.BuildArgs{Root: root, Package: helloPackage, OutDir: out})
	require.NoError(t, err, "a build with a 200 KiB PULUMI_CONFIG in the program's environment")
	again, err := artifact.Build(context.Background(), artifact.BuildArgs{Root: root, Package: helloPackage, OutDir: out})
	require.NoError(t, err)
	assert.True(t, again.Reused, "got a second link: the cache key's go commands failed with the program's config in their environment")
}
