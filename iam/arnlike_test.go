package iam_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/acme/secrets-platform/iam"
)

func TestArnLike(t *testing.T) {
	const rule = "arn:aws:events:eu-west-1:111122223333:rule/prod-rotate-twilio-79933dafe97c2984-0-sweep"
	tests := []struct {
		pattern string
		want    bool
	}{
		{rule, true},
		{"arn:aws:events:eu-west-1:111122223333:rule/prod-*-sweep", true},
		{"arn:aws:events:eu-west-1:111122223333:rule/prod-*", true},
		{"arn:aws:events:*:111122223333:rule/prod-*-sweep", true},
		{"arn:aws:events:eu-west-?:111122223333:rule/prod-*-sweep", true},
		{"arn:aws:events:eu-west-1:111122223333:rule/staging-*-sweep", false},
		{"arn:aws:events:eu-west-1:111122223333:rule/prod-*-redeploy", false},
		{"arn:aws:events:eu-west-1:444455556666:rule/prod-*-sweep", false},
		// A * stays within its part: it does not stand for the account.
		{"arn:aws:events:eu-west-1*:rule/prod-*-sweep", false},
		{"arn:aws:events:eu-west-1:111122223333:rule/prod-?-sweep", false},
		{"arn:aws:events", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, iam.ArnLike(tt.pattern, rule), "ArnLike(%q)", tt.pattern)
	}
}
