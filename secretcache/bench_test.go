package secretcache

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// benchCache returns a cache holding "prod/orders/db" (a JSON RDS-shaped
// secret) and, to make the map realistic, 100 other secrets.
func benchCache(b *testing.B) *Cache {
	b.Helper()
	api := newStub()
	api.set("prod/orders/db", StageCurrent,
		`{"engine":"postgres","host":"orders.cluster-abc.eu-west-1.rds.amazonaws.com","port":5432,"username":"orders","password":"p4ss","dbname":"orders","ssl":true}`)
	c, err := New(api) // the system clock: its timers are armed but never due here
	require.NoError(b, err)
	for i := range 100 {
		id := "prod/other/" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		api.set(id, StageCurrent, "x")
		_, err := c.GetString(b.Context(), id)
		require.NoError(b, err)
	}
	_, err = c.GetString(b.Context(), "prod/orders/db")
	require.NoError(b, err)
	return c
}

type benchDB struct {
	Engine   string `json:"engine"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username"`
	Password string `json:"password"`
	DBName   string `json:"dbname"`
	SSL      bool   `json:"ssl"`
}

// BenchmarkGetStringHit is the figure the issue compares with the official
// library's 174 ns/op: one goroutine, AWSCURRENT, string path.
func BenchmarkGetStringHit(b *testing.B) {
	c := benchCache(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetString(ctx, "prod/orders/db"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetStringHitParallel runs the same hit on GOMAXPROCS goroutines
// (use -cpu 1,8); per-op time must not grow with readers.
func BenchmarkGetStringHitParallel(b *testing.B) {
	c := benchCache(b)
	ctx := b.Context()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetString(ctx, "prod/orders/db"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGetStringHitExactExpiry is the hit with Options.ExactExpiry: the
// price of a clock read per hit.
func BenchmarkGetStringHitExactExpiry(b *testing.B) {
	c := benchCache(b)
	c.exact = true
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetString(ctx, "prod/orders/db"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetStringVersionHit reads a non-default stage, which takes the
// struct-keyed map.
func BenchmarkGetStringVersionHit(b *testing.B) {
	c := benchCache(b)
	ctx := b.Context()
	api := c.client.(*stubAPI)
	api.set("prod/orders/db", StagePending, "pending")
	v := Version{Stage: StagePending}
	_, err := c.GetStringVersion(ctx, "prod/orders/db", v)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetStringVersion(ctx, "prod/orders/db", v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetJSONHit reads the RDS-shaped secret as a typed struct; the
// decoding is cached with the value.
func BenchmarkGetJSONHit(b *testing.B) {
	c := benchCache(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GetJSON[benchDB](ctx, c, "prod/orders/db"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetJSONHitParallel is BenchmarkGetJSONHit on GOMAXPROCS goroutines.
func BenchmarkGetJSONHitParallel(b *testing.B) {
	c := benchCache(b)
	ctx := b.Context()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := GetJSON[benchDB](ctx, c, "prod/orders/db"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
