// Command orders is a small example service that keeps serving while the
// database secret it reads through secretcache rotates.
//
// It reads its database credentials and a partner API key.
//
// Environment:
//
//	AWS_REGION                  region of the secrets (required)
//	ORDERS_DB_SECRET_ID         RDS-shaped secret of the database user (required)
//	ORDERS_DB_HOST              the database's host, from the deployment, not the secret (required)
//	ORDERS_DB_PORT              its port (default 5432)
//	ORDERS_PARTNER_KEY_ID       secret holding the partner API key (required)
//	RDS_CA_FILE                 PEM CA bundle that signed the database certificate (required)
//	LISTEN_ADDR                 address to serve on (default 127.0.0.1:8080)
//	SECRET_TTL                  cache TTL, a Go duration (default 5m)
//
// Credentials come from the SDK's default chain (the task or Lambda role);
// AWS_ENDPOINT_URL_SECRETS_MANAGER points it at an emulator. The role needs
// secretsmanager:GetSecretValue on both secrets (and kms:Decrypt if they
// use a customer managed key).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load aws config: %w", err)
	}
	app, err := newApp(ctx, secretsmanager.NewFromConfig(awsCfg), cfg)
	if err != nil {
		return err
	}
	defer app.Close()

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: app.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown) // the process is exiting; ListenAndServe reports the rest
	}()
	log.Printf("orders: serving on %s", cfg.ListenAddr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
