package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/acme/secrets-platform/secretcache"
)

// config is everything the service reads from its environment, read once.
type config struct {
	DBSecretID string
	// DBHost and DBPort are the database the service expects, from its own
	// deployment (the platform's databaseHost output), never from the
	// secret: a secret that names another server is refused.
	DBHost       string
	DBPort       int
	PartnerKeyID string
	CAFile       string
	ListenAddr   string
	TTL          time.Duration
}

// loadConfig reads and checks the environment (see the package doc).
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		DBSecretID:   getenv("ORDERS_DB_SECRET_ID"),
		DBHost:       getenv("ORDERS_DB_HOST"),
		DBPort:       5432,
		PartnerKeyID: getenv("ORDERS_PARTNER_KEY_ID"),
		CAFile:       getenv("RDS_CA_FILE"),
		ListenAddr:   getenv("LISTEN_ADDR"),
		TTL:          secretcache.DefaultTTL,
	}
	if c.ListenAddr == "" {
		c.ListenAddr = "127.0.0.1:8080"
	}
	var errs []error
	if c.DBSecretID == "" || c.DBHost == "" || c.PartnerKeyID == "" || c.CAFile == "" {
		errs = append(errs, errors.New("ORDERS_DB_SECRET_ID, ORDERS_DB_HOST, ORDERS_PARTNER_KEY_ID and RDS_CA_FILE are required"))
	}
	if s := getenv("ORDERS_DB_PORT"); s != "" {
		p, err := strconv.Atoi(s)
		if err != nil || p < 1 || p > 65535 {
			errs = append(errs, fmt.Errorf("ORDERS_DB_PORT %q is not a TCP port", s))
		}
		c.DBPort = p
	}
	if s := getenv("SECRET_TTL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("SECRET_TTL %q is not a positive duration", s))
		}
		c.TTL = d
	}
	if err := errors.Join(errs...); err != nil {
		return config{}, fmt.Errorf("load config: %w", err)
	}
	return c, nil
}
