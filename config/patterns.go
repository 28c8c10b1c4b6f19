package config

import "regexp"

// The shapes config values must have. Each is quoted in the problem it causes.
var (
	envPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
	// segmentPattern is one segment of /{env}/{group}/{name}.
	segmentPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	// arnSuffixPattern: AWS warns against names that end in a hyphen and six
	// characters, which partial-ARN lookups confuse with the random suffix.
	arnSuffixPattern = regexp.MustCompile(`-[A-Za-z0-9]{6}$`)
	accountPattern   = regexp.MustCompile(`^[0-9]{12}$`)
	roleARNPattern   = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)
	roleNamePattern  = regexp.MustCompile(`^[A-Za-z0-9+=,.@_/-]{1,64}$`)
	orgIDPattern     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	vpcIDPattern     = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
	subnetIDPattern  = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	sgIDPattern      = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	identPattern     = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	tagKeyPattern    = regexp.MustCompile(`^[A-Za-z0-9 _.:/=+@-]{1,128}$`)
	emailPattern     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-z]{2,}$`)
	httpsPattern     = regexp.MustCompile(`^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s]*)?$`)
	versionPattern   = regexp.MustCompile(`^[0-9]{2}$`)
	classPattern     = regexp.MustCompile(`^db\.[a-z0-9]+\.[a-z0-9]+$`)
	cidrPattern      = regexp.MustCompile(`^10\.[0-9]{1,3}\.0\.0/16$`)
	stagePattern     = regexp.MustCompile(`^(AWSCURRENT|AWSPREVIOUS|AWSPENDING)$`)
	configKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
	// keyIDPattern is a key ring's key id: k1, or k<UTC time>-<hex> as the rotator names them.
	keyIDPattern = regexp.MustCompile(`^k[0-9A-Za-z-]{1,40}$`)
	// workloadPattern also forms role names: {env}-{workload}-task, so short.
	workloadPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
)
