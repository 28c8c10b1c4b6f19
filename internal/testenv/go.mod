module github.com/acme/secrets-platform/internal/testenv

go 1.26.6
