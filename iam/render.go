package iam

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Render turns a document that needs resource ARNs into a policy JSON output:
// build runs once the ARNs are known, in the order given.
func Render(arns pulumi.StringArrayInput, build func(arns []string) Document) pulumi.StringOutput {
	return arns.ToStringArrayOutput().ApplyT(func(xs []string) (string, error) {
		return build(xs).JSON()
	}).(pulumi.StringOutput)
}
