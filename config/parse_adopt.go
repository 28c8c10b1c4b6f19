package config

// parseAdopt reads secrets[].adopt: the ARN of an existing secret of the
// same name in this stack's account and region. An adopted secret keeps its
// value, so nothing may give it a first one; and a database secret is never
// adopted, because the value of one made elsewhere may hold the master login
// (the Terraform setup's does), which the rotator would then clone and hand
// to the application.
func parseAdopt(raw Raw, c Config, k string, r rawSecret, s Secret, ps *problems) string {
	if r.Adopt == nil {
		return ""
	}
	k += ".adopt"
	checkSecretARN(k+".arn", r.Adopt.ARN, s.Name, c.Region, ownAccounts(raw), ps)
	if s.Kind == KindDatabase {
		ps.add(k, r.Adopt.ARN, "no adopt for kind database: a secret made elsewhere may hold the master login, which the rotator would clone for the application. Name the existing secret as database.existing.masterSecretArn and give the application user's secret a new name (docs/migrate-from-terraform.md)")
	}
	if r.ValueConfigKey != "" {
		ps.add(k, r.Adopt.ARN, "either adopt or valueConfigKey: an adopted secret keeps its value and gets no first one")
	}
	if r.ValuePut {
		ps.add(k, r.Adopt.ARN, "either adopt or valuePut: an adopted secret has its value already")
	}
	return r.Adopt.ARN
}
