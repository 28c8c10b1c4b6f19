// Package config is the one place that validates stack configuration.
//
// Load gathers the raw values a stack sets (Pulumi.<stack>.yaml over the
// project defaults in Pulumi.yaml) and Parse turns them into a typed Config,
// or into ONE error that lists every problem, each naming the config key, the
// bad value and what is allowed. Nothing else in the program calls config.New:
// components receive typed args.
package config
