module github.com/acme/secrets-platform/secretcache

go 1.26.6

require github.com/acme/secrets-platform/internal/testenv v0.0.0

replace github.com/acme/secrets-platform/internal/testenv => ../internal/testenv
