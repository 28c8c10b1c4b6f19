package rotatortest_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/internal/rotatortest"
)

// BenchmarkMotoCall is the floor under every rotation benchmark: the round
// trip of one cheap Secrets Manager call to moto on this machine.
func BenchmarkMotoCall(b *testing.B) {
	env := rotatortest.New(b)
	sec := env.CreateSecret(b, "/bench/moto/call", "v1")
	in := &secretsmanager.DescribeSecretInput{SecretId: aws.String(sec.ARN)}
	for b.Loop() {
		if _, err := env.SM.DescribeSecret(b.Context(), in); err != nil {
			b.Fatalf("describe: %v", err)
		}
	}
}
