package config

// parseAdoptSecretsKey reads adoptSecretsKeyArn: an existing customer-managed
// key in this stack's account and region that becomes the stack's secrets
// key (Pulumi's import), so that what it encrypts stays readable and the
// grants that name its ARN keep working. Its policy, description and tags
// become the program's on the first pulumi up.
func parseAdoptSecretsKey(raw Raw, c Config, ps *problems) string {
	arn, ok := raw.get("adoptSecretsKeyArn")
	if !ok {
		return ""
	}
	k := key("adoptSecretsKeyArn")
	own := ownAccounts(raw)
	switch p, ok := ParseKeyARN(arn); {
	case !ok:
		ps.add(k, arn, "the ARN of an existing customer-managed key, arn:aws:kms:<region>:<account>:key/<id> (not an alias)")
	case p.Region != c.Region:
		ps.add(k, arn, "a key in the stack's region %s", c.Region)
	case len(own) > 0 && !containsAccount(own, p.Account):
		ps.add(k, arn, "a key in this stack's account")
	}
	return arn
}

// KeyID is the key id at the end of a key ARN, what Pulumi imports a key by.
func KeyID(arn string) string {
	p, _ := ParseKeyARN(arn)
	return p.Name
}
