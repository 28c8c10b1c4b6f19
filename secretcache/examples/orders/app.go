package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"net/http"

	"github.com/acme/secrets-platform/secretcache"
	"github.com/acme/secrets-platform/secretcache/pgsecret"
)

// app wires the cache, the rotation-aware pool and the HTTP handlers.
type app struct {
	cache *secretcache.Cache
	pool  *pgsecret.Pool
	cfg   config
}

// newApp builds the cache, prefetches both secrets so that a missing
// permission fails the start rather than the first request, and opens the pool.
func newApp(ctx context.Context, client secretcache.API, cfg config) (*app, error) {
	cache, err := secretcache.New(client, func(o *secretcache.Options) {
		o.TTL = cfg.TTL
		o.OnRefreshError = func(id string, v secretcache.Version, err error) {
			// The error names the secret and the API failure, never the value.
			log.Printf("secret refresh failed (a cached value, if any, is served until MaxStale): %v", err)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("new app: %w", err)
	}
	if err := cache.Warm(ctx, cfg.DBSecretID, cfg.PartnerKeyID); err != nil {
		return nil, fmt.Errorf("prefetch secrets: %w", err)
	}
	conn, err := pgsecret.NewConnector(cache, cfg.DBSecretID, pgsecret.Endpoint{Host: cfg.DBHost, Port: cfg.DBPort}, pgsecret.TLS{CAFile: cfg.CAFile})
	if err != nil {
		return nil, fmt.Errorf("new app: %w", err)
	}
	pool, err := pgsecret.NewPool(ctx, conn, nil)
	if err != nil {
		return nil, fmt.Errorf("new app: %w", err)
	}
	return &app{cache: cache, pool: pool, cfg: cfg}, nil
}

// Close closes the pool.
func (a *app) Close() { a.pool.Close() }

// Handler serves /healthz and /v1/status.
func (a *app) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /v1/status", a.status)
	return mux
}

func (a *app) healthz(w http.ResponseWriter, r *http.Request) {
	if err := a.pool.Ping(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// statusBody is what /v1/status answers: the database's clock and which
// partner key is configured, identified by a short hash, never the key.
type statusBody struct {
	DBTime        string `json:"db_time"`
	PartnerKeyRef string `json:"partner_key_ref"`
}

func (a *app) status(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body statusBody
	if err := a.pool.QueryRow(ctx, "SELECT now()::text").Scan(&body.DBTime); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	key, err := a.cache.GetString(ctx, a.cfg.PartnerKeyID)
	if err != nil {
		http.Error(w, "partner key unavailable", http.StatusServiceUnavailable)
		return
	}
	sum := sha256.Sum256([]byte(key))
	body.PartnerKeyRef = hex.EncodeToString(sum[:4])
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body) // a failed write means the client left
}
