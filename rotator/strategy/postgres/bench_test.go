package postgres

import (
	"testing"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/engine"
)

// BenchmarkRotation times one whole rotation (the four steps through the
// engine, against moto and the TLS PostgreSQL), without RotateSecret itself,
// which is Secrets Manager's work, not the Lambda's. The target for
// single-user is under half of AWS's Python template (236-360 ms), so under
// 118 ms. It also reports Secrets Manager calls and database connections per
// rotation.
func BenchmarkRotation(b *testing.B) {
	for _, kind := range []string{"single", "alternating"} {
		f := newFixture(b)
		rig := newRig(b, f, kind)
		arn := rig.newSecret(b, "bench-"+kind, "bench_"+kind, true, true)
		b.Run(kind, func(b *testing.B) {
			rig.calls.Reset()
			f.dials.Store(0)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				token := rig.env.StartRotation(b, arn)
				b.StartTimer()
				rotatortest.RunSteps(b, rig.h, arn, token)
			}
			b.StopTimer()
			b.ReportMetric(float64(rig.calls.Total())/float64(b.N), "calls/op")
			b.ReportMetric(float64(f.dials.Load())/float64(b.N), "conns/op")
		})
	}
}

// BenchmarkStrategyOnly times the strategy's share of a single-user rotation,
// Set then Test straight against the database (two TLS logins and one ALTER
// ROLE), without the engine's Secrets Manager calls.
func BenchmarkStrategyOnly(b *testing.B) {
	f := newFixture(b)
	const user = "bench_direct"
	pw := newPassword(b)
	f.CreateRole(b, user, pw)
	s, err := NewSingleUser(f.config(), f.sm)
	if err != nil {
		b.Fatal(err)
	}
	cur := f.value(b, user, pw, false)
	f.dials.Store(0)
	b.ResetTimer()
	for range b.N {
		next, err := s.Create(b.Context(), engine.Rotation{Current: engine.Version{Value: cur}})
		if err != nil {
			b.Fatal(err)
		}
		r := engine.Rotation{Current: engine.Version{Value: cur}, Pending: engine.Version{Value: next}}
		if err := s.Set(b.Context(), r); err != nil {
			b.Fatal(err)
		}
		if err := s.Test(b.Context(), r); err != nil {
			b.Fatal(err)
		}
		cur = next
	}
	b.StopTimer()
	b.ReportMetric(float64(f.dials.Load())/float64(b.N), "conns/op")
}
