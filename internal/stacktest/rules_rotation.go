package stacktest

// rotationRules check rotation resources (SECURITY-RULES 2, 11, 12, 13).
// (Being built for issues 3 and 4.)
func rotationRules() []Rule { return nil }

// rotationExceptions are the named exceptions of the rotation layer.
func rotationExceptions() []Exception { return nil }
