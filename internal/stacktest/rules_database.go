package stacktest

// databaseRules check the RDS instance (SECURITY-RULES 14).
// (Being built for issue 4.)
func databaseRules() []Rule { return nil }
