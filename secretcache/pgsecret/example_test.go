package pgsecret_test

import (
	"context"
	"log"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/acme/secrets-platform/secretcache"
	"github.com/acme/secrets-platform/secretcache/pgsecret"
)

func ExampleNewPool() {
	var cache *secretcache.Cache // from secretcache.New
	ctx := context.Background()
	// The server comes from the deployment (the platform's databaseHost
	// output), never from the secret.
	server := pgsecret.Endpoint{Host: "orders.abc123.eu-west-1.rds.amazonaws.com", Port: 5432}
	conn, err := pgsecret.NewConnector(cache, "prod/orders/db", server, pgsecret.TLS{CAFile: "/etc/rds/global-bundle.pem"})
	if err != nil {
		log.Fatal(err)
	}
	pool, err := pgsecret.NewPool(ctx, conn, func(pc *pgxpool.Config) {
		pc.MaxConns = 10
		pc.MaxConnLifetime = 30 * time.Minute
	})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM orders").Scan(&n); err != nil {
		log.Fatal(err)
	}
}
