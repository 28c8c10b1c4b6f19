package config

import (
	"regexp"
	"slices"
	"strings"
)

// secretARNPattern is a complete secret ARN: AWS adds a hyphen and six
// random characters to the name, and only the complete ARN names one secret
// in IAM policies and imports.
var secretARNPattern = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):secretsmanager:([a-z0-9-]+):([0-9]{12}):secret:([A-Za-z0-9/_+=.@-]+)-[A-Za-z0-9]{6}$`)

// keyARNPattern is a KMS key ARN (an alias does not work as the Resource of
// a kms:Decrypt grant, so an alias ARN is refused).
var keyARNPattern = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):([0-9]{12}):key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)

// ARNParts are the fields of an ARN that config checks.
type ARNParts struct {
	Partition, Region, Account string
	// Name is the secret's name without the six-character suffix, or the key id.
	Name string
}

// ParseSecretARN splits a complete secret ARN; ok is false for anything else.
func ParseSecretARN(arn string) (ARNParts, bool) {
	m := secretARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return ARNParts{}, false
	}
	return ARNParts{Partition: m[1], Region: m[2], Account: m[3], Name: m[4]}, true
}

// ParseKeyARN splits a KMS key ARN; ok is false for anything else.
func ParseKeyARN(arn string) (ARNParts, bool) {
	m := keyARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return ARNParts{}, false
	}
	return ARNParts{Partition: m[1], Region: m[2], Account: m[3], Name: m[4]}, true
}

// checkSecretARN records what is wrong with a secret ARN that must name the
// secret called name in this stack's region (and, when wantAccounts is not
// empty, in one of those accounts).
func checkSecretARN(k, arn, name, region string, wantAccounts []string, ps *problems) {
	p, ok := ParseSecretARN(arn)
	switch {
	case !ok:
		ps.add(k, arn, "the complete ARN of the secret, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> (aws secretsmanager describe-secret --secret-id <name> --query ARN)")
	case p.Region != region:
		ps.add(k, arn, "a secret in the stack's region %s", region)
	case len(wantAccounts) > 0 && !containsAccount(wantAccounts, p.Account):
		ps.add(k, arn, "a secret in this stack's account (%s)", strings.Join(wantAccounts, ", "))
	case name != "" && p.Name != name:
		ps.add(k, arn, "the ARN of the secret named %s (this one names %s)", name, p.Name)
	}
}

func containsAccount(accounts []string, a string) bool { return slices.Contains(accounts, a) }
