package main

import (
	"io"
	"testing"

	"github.com/acme/secrets-platform/internal/mockrun"
)

// BenchmarkPlanGeneratedStack is the offline plan (JSON, every section) of
// a generated stack of 2,000 secrets and 200 workloads, as `go run
// ./cmd/plan` prints it (target: under 10 s on the 2-core CI machine).
func BenchmarkPlanGeneratedStack(b *testing.B) {
	base, err := mockrun.LoadStack("../..", "prod")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	st, err := mockrun.ScaleStack(base, dir, 2000, 200)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if code := run([]string{"--stack", st.Name, "--dir", dir, "--json"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("plan exited %d", code)
		}
	}
}
