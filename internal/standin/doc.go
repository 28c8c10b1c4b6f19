// Package standin is the resource provider plugin that stands in for AWS in tests.
//
// The engine starts it as pulumi-resource-aws or pulumi-resource-random from
// PATH and drives it over the provider gRPC protocol like the real plugins:
// it accepts every resource, returns its inputs plus what AWS computes
// (internal/awsshape), diffs inputs and reports a replacement only where
// awsshape's ForceNew table says AWS forces one, keeps secret inputs secret,
// and answers the program's invokes.
//
// It holds no state of its own: the engine's checkpoint is the only record,
// as it is with the real providers.
package standin
