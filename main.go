// Command secrets-platform is the Pulumi program: `pulumi up` runs it.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/stack"
)

func main() {
	pulumi.Run(program)
}

// program hands over to the stack composition, which the offline plan and the
// tests run too.
func program(ctx *pulumi.Context) error {
	return stack.Program(ctx)
}
