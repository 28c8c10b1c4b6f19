// Command pulumi-resource-random is the engine tests' stand-in for the pulumi-random
// provider plugin (see internal/standin). The tests build it with the plugin
// version the program's pulumi-random SDK requests.
package main

import (
	"fmt"
	"os"

	"github.com/acme/secrets-platform/internal/standin"
)

// version is set with -ldflags "-X main.version=..." to the pulumi-random
// version in go.mod.
var version = "0.0.0"

func main() {
	if err := standin.Serve(standin.NewRandom(version)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
