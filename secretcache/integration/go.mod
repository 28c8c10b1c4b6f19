// This module holds secretcache's tests against real services (moto,
// PostgreSQL, the IAM simulator). It is never published: no application
// requires it, so its replace directives reach no consumer. They are replace
// directives rather than a go.work because `go mod tidy` ignores go.work
// (golang/go#50750) and these two modules exist only in this repository.
module github.com/acme/secrets-platform/secretcache/integration

go 1.26.6

require (
	github.com/acme/secrets-platform/internal/testenv v0.0.0-00010101000000-000000000000
	github.com/acme/secrets-platform/secretcache v0.0.0-00010101000000-000000000000
	github.com/aws/aws-sdk-go-v2 v1.48.0
	github.com/aws/aws-sdk-go-v2/credentials v1.21.0
	github.com/aws/aws-sdk-go-v2/service/secretsmanager v1.51.0
	github.com/jackc/pgx/v5 v5.13.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/aws/aws-sdk-go-v2/internal/configsources v1.5.12 // indirect
	github.com/aws/aws-sdk-go-v2/internal/endpoints/v2 v2.8.12 // indirect
	github.com/aws/smithy-go v1.28.9 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)

replace (
	github.com/acme/secrets-platform/internal/testenv => ../../internal/testenv
	github.com/acme/secrets-platform/secretcache => ..
)
