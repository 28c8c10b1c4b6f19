package stack

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
)

// externalArns are the ARNs of the external secrets among names, which a
// workload reads with the same least-privilege policy as catalog secrets.
func externalArns(cfg config.Config, names []string) pulumi.StringArray {
	var out pulumi.StringArray
	for _, n := range names {
		if e, ok := cfg.External(n); ok {
			out = append(out, pulumi.String(e.ARN))
		}
	}
	return out
}

// externalKeys are the keys of the external secrets among names, once each.
func externalKeys(cfg config.Config, names []string) []string {
	var out []string
	for _, n := range names {
		if e, ok := cfg.External(n); ok && !slices.Contains(out, e.KmsKeyARN) {
			out = append(out, e.KmsKeyARN)
		}
	}
	return out
}
