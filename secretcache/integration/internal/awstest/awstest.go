// Package awstest builds Secrets Manager clients that count the calls a cache
// makes to the moto server testenv starts.
//
// It is for this module's tests only.
package awstest

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/internal/testenv"
)

// Client returns a Secrets Manager client for m with moto's static test
// credentials; nothing it does can reach AWS.
func Client(t testing.TB, m *testenv.Moto) *secretsmanager.Client {
	t.Helper()
	return secretsmanager.NewFromConfig(aws.Config{
		Region:       m.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(m.Endpoint),
	})
}

// Counting passes GetSecretValue through to a real client and counts it.
type Counting struct {
	Client *secretsmanager.Client
	calls  atomic.Int64
}

// GetSecretValue counts the call and forwards it.
func (c *Counting) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.calls.Add(1)
	return c.Client.GetSecretValue(ctx, in, optFns...)
}

// Calls returns the number of GetSecretValue calls made so far.
func (c *Counting) Calls() int64 { return c.calls.Load() }
