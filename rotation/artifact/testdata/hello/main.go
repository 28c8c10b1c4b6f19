// Command hello is a tiny main package that the build tests compile instead
// of the real rotator when they only need to prove the packaging is
// reproducible.
package main

import "fmt"

func main() { fmt.Println("hello from a reproducible build") }
