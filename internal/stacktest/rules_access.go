package stacktest

// accessRules check reader and cross-account policies (SECURITY-RULES 5-10).
// (Being built for issue 5.)
func accessRules() []Rule { return nil }

// accessExceptions are the named exceptions of the access layer.
func accessExceptions() []Exception { return nil }
