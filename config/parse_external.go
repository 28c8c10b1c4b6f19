package config

import (
	"fmt"
	"regexp"
	"slices"
)

// externalNamePattern is what Secrets Manager allows in a secret name.
var externalNamePattern = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,512}$`)

// parseExternalSecrets reads externalSecrets: each must name its secret as
// its ARN does (so a copied ARN cannot point at another secret), be in the
// stack's region (the read policy's kms:ViaService names this region's
// Secrets Manager) and carry its key's ARN (reading needs kms:Decrypt on it;
// the AWS managed key cannot be granted to another account).
func parseExternalSecrets(raw Raw, c Config, ps *problems) []ExternalSecret {
	var rs []rawExternalSecret
	decodeKey(raw, "externalSecrets", &rs, ps)
	seen := map[string]bool{}
	var out []ExternalSecret
	for i, r := range rs {
		k := fmt.Sprintf("%s[%d]", key("externalSecrets"), i)
		e := ExternalSecret(r)
		switch _, inCatalog := c.Secret(e.Name); {
		case !externalNamePattern.MatchString(e.Name):
			ps.add(k+".name", e.Name, "the secret's name as its ARN has it (letters, digits and /_+=.@-)")
		case inCatalog:
			ps.add(k+".name", e.Name, "a secret outside this stack's catalog (a catalog secret is granted by its name already)")
		case seen[e.Name]:
			ps.add(k+".name", e.Name, "each external secret once")
		}
		seen[e.Name] = true
		checkSecretARN(k+".arn", e.ARN, e.Name, c.Region, nil, ps)
		switch p, ok := ParseKeyARN(e.KmsKeyARN); {
		case !ok:
			ps.add(k+".kmsKeyArn", e.KmsKeyARN, "the ARN of the customer-managed key the secret is encrypted with, arn:aws:kms:<region>:<account>:key/<id> (aws secretsmanager describe-secret --secret-id <arn> --query KmsKeyId; not an alias, and not aws/secretsmanager, which no other account can use)")
		case p.Region != c.Region:
			ps.add(k+".kmsKeyArn", e.KmsKeyARN, "a key in the stack's region %s, where the secret is", c.Region)
		}
		out = append(out, e)
	}
	return out
}

// checkReadableRefs: a workload reads catalog secrets and external secrets.
func checkReadableRefs(k string, names []string, c Config, ps *problems) {
	for j, name := range names {
		_, inCatalog := c.Secret(name)
		_, external := c.External(name)
		if !inCatalog && !external {
			ps.add(fmt.Sprintf("%s[%d]", k, j), name, "the name of a secret in this stack's catalog or in externalSecrets")
		}
	}
}

// checkExternalsRead refuses an external secret no workload reads: its
// owner would be asked for a grant to nobody.
func checkExternalsRead(c Config, ps *problems) {
	for i, e := range c.ExternalSecrets {
		read := false
		for _, w := range c.Workloads {
			read = read || slices.Contains(w.Secrets, e.Name)
		}
		if !read {
			ps.add(fmt.Sprintf("%s[%d].name", key("externalSecrets"), i), e.Name, "a secret some workloads[].secrets lists (the stack grants external secrets to workloads only)")
		}
	}
}
