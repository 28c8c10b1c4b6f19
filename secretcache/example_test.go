package secretcache_test

import (
	"context"
	"errors"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/secretcache"
)

func ExampleNew() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	cache, err := secretcache.New(secretsmanager.NewFromConfig(cfg), func(o *secretcache.Options) {
		o.TTL = 2 * time.Minute // MaxServeAge becomes 2m + 12s + 15m
		o.OnRefreshError = func(id string, _ secretcache.Version, err error) {
			log.Printf("refresh %s: %v", id, err) // err never holds the value
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	// Fail the start, not the first request, when a permission is missing.
	if err := cache.Warm(ctx, "prod/orders/partner-key"); err != nil {
		log.Fatal(err)
	}
}

func ExampleGetJSON() {
	var cache *secretcache.Cache // from secretcache.New
	type partner struct {
		Key    string `json:"key"`
		Region string `json:"region"`
	}
	p, err := secretcache.GetJSON[partner](context.Background(), cache, "prod/orders/partner")
	if err != nil {
		log.Fatal(err)
	}
	_ = p.Key
}

// errUnauthorized stands for whatever a client returns for a refused key.
var errUnauthorized = errors.New("401 unauthorized")

func ExampleCache_RefreshRejected() {
	var cache *secretcache.Cache // from secretcache.New
	ctx := context.Background()
	call := func(key string) error { return errUnauthorized } // a third-party API call

	key, err := cache.GetString(ctx, "prod/orders/partner-key")
	if err != nil {
		log.Fatal(err)
	}
	err = call(key)
	if errors.Is(err, errUnauthorized) {
		// The key may have been rotated since it was cached.
		fresh, rerr := cache.RefreshRejected(ctx, "prod/orders/partner-key", secretcache.Version{}, key)
		if rerr == nil && fresh != key {
			err = call(fresh)
		}
	}
	if err != nil {
		log.Print(err)
	}
}
