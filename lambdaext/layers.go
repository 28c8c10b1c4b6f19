package lambdaext

import (
	"fmt"
	"maps"
	"slices"
)

// Architecture is a Lambda instruction set; the extension is published as a
// separate layer for each.
type Architecture string

// The architectures Lambda runs and the extension supports.
const (
	ARM64  Architecture = "arm64"
	X86_64 Architecture = "x86_64"
)

// Architectures lists them, the default (arm64, as the rotators) first.
func Architectures() []Architecture { return []Architecture{ARM64, X86_64} }

// LayersSource is where the table below was copied from, and LayersAsOf the
// "last updated" date AWS gives both of its tables there. To add a region or
// move to a newer layer version, copy the ARN from that page, or ask Systems
// Manager for the latest one (public parameters, no account setup needed):
//
//	aws ssm get-parameter --region <region> --query Parameter.Value --output text \
//	  --name /aws/service/aws-parameters-and-secrets-lambda-extension/arm64/latest   # or .../x86/latest
//
// then change LayersAsOf. A pinned version is deliberate: a new layer
// version changes every function that uses it, so it arrives by a reviewed
// commit, not by itself.
const (
	LayersSource = "AWS Systems Manager User Guide, \"Using Parameter Store parameters in AWS Lambda functions\", " +
		"section \"AWS Parameters and Secrets Lambda Extension ARNs\" " +
		"(https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html#ps-integration-lambda-extensions-add)"
	LayersAsOf = "2026-07-28"
)

// layers are AWS's published layer ARNs, by region and architecture, for the
// regions the committed stacks and the tests use and their usual neighbours.
// A region missing here is refused by config with aws:region named.
var layers = map[string]map[Architecture]string{
	"eu-west-1": {
		X86_64: "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension:101",
		ARM64:  "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:101",
	},
	"eu-west-2": {
		X86_64: "arn:aws:lambda:eu-west-2:133256977650:layer:AWS-Parameters-and-Secrets-Lambda-Extension:99",
		ARM64:  "arn:aws:lambda:eu-west-2:133256977650:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:99",
	},
	"eu-central-1": {
		X86_64: "arn:aws:lambda:eu-central-1:187925254637:layer:AWS-Parameters-and-Secrets-Lambda-Extension:101",
		ARM64:  "arn:aws:lambda:eu-central-1:187925254637:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:101",
	},
	"us-east-1": {
		X86_64: "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:99",
		ARM64:  "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:99",
	},
	"us-east-2": {
		X86_64: "arn:aws:lambda:us-east-2:590474943231:layer:AWS-Parameters-and-Secrets-Lambda-Extension:109",
		ARM64:  "arn:aws:lambda:us-east-2:590474943231:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:109",
	},
	"us-west-2": {
		X86_64: "arn:aws:lambda:us-west-2:345057560386:layer:AWS-Parameters-and-Secrets-Lambda-Extension:99",
		ARM64:  "arn:aws:lambda:us-west-2:345057560386:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:99",
	},
}

// Regions lists the regions the table has, sorted.
func Regions() []string { return slices.Sorted(maps.Keys(layers)) }

// LayerARN returns the extension's layer for a region and architecture.
func LayerARN(region string, arch Architecture) (string, error) {
	byArch, ok := layers[region]
	if !ok {
		return "", fmt.Errorf("no layer ARN of the Parameters and Secrets Lambda Extension for region %q in lambdaext (it has %v; copy the region's from %s)", region, Regions(), LayersSource)
	}
	arn, ok := byArch[arch]
	if !ok {
		return "", fmt.Errorf("architecture %q: want one of %v", arch, Architectures())
	}
	return arn, nil
}
