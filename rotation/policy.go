package rotation

import (
	"slices"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/rotator/contract"
)

// Statement ids of the rotator policy; the rule checker and the tests find
// statements by them.
const (
	SidRotateOwnSecret    = "RotateOwnSecretOnly"
	SidReadAdminSecret    = "ReadProviderAdminSecret"
	SidReadMasterSecret   = "ReadDatabaseMasterSecret"
	SidUseSecretsKey      = "EncryptOwnSecretViaSecretsManager"
	SidDecryptReadSecrets = "DecryptReadSecretsViaSecretsManager"
	SidDecryptEnvironment = "DecryptOwnEnvironment"
	SidTracing            = "XRayTracing"
	SidOwnLogGroup        = "WriteOwnLogGroup"
	// SidReplicatePrefix starts the statement of each replica region; the
	// region follows (iam.RegionSid): ReplicateOwnSecretsToUsEast1.
	SidReplicatePrefix = "ReplicateOwnSecretsTo"
)

// ReplicateActions are what Secrets Manager asks of the replica region's key
// when it writes the new version of a replicated secret there with the
// rights of the caller that put it in the primary (Secrets Manager API
// reference, ReplicateSecretToRegions: "To encrypt the replicated secret
// with a KMS key other than aws/secretsmanager, you need kms:GenerateDataKey
// and kms:Encrypt to the key"; user guide, "Troubleshoot replication").
// Decrypting in the primary is the primary's grant already; no rotator
// reads a replica.
func ReplicateActions() []string { return []string{"kms:Encrypt", "kms:GenerateDataKey"} }

// ReplicaKey is a replica region's key and the replicas it encrypts there.
type ReplicaKey struct {
	// Region is the replica region.
	Region string
	// KeyArn is the stack's key in that region.
	KeyArn string
	// SecretArns are the replicas there of the rotator's own secrets.
	SecretArns []string
}

// RotateActions are what Secrets Manager's rotation protocol needs on the
// secret under rotation (AWS rotation permissions page). They are all a
// grace sweeper needs too: it reads the switch label from DescribeSecret and
// moves switch labels with UpdateSecretVersionStage (decision D4), so no
// rotator lists versions. Lists are functions, not package variables, so no
// caller can change them for everyone.
func RotateActions() []string {
	return []string{
		"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
		"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage",
	}
}

// TracingActions are X-Ray's. X-Ray has no resource-level permissions, so
// their resource must be "*" (rule 6 lists them as unrestrictable actions).
func TracingActions() []string { return []string{"xray:PutTelemetryRecords", "xray:PutTraceSegments"} }

// VPCAccessPolicy is AWS's managed policy for the network interfaces of a
// function in a VPC. Its ec2 actions cannot be scoped to a resource, so the
// program attaches AWS's policy by ARN rather than writing "*" itself, and
// only to rotators that run in the database's VPC.
func VPCAccessPolicy(partition string) string {
	return iam.AWSManagedPolicyARN(partition, "service-role/AWSLambdaVPCAccessExecutionRole")
}

// PolicyArgs are the resolved ARNs a rotator policy names.
type PolicyArgs struct {
	// Strategy decides the extra reads (admin or master secret) and the sweep.
	Strategy config.Strategy
	// Account scopes kms:ViaService to this region's Secrets Manager.
	Account iam.Account
	// SecretArns are the secrets the function rotates: its group's.
	SecretArns []string
	// AdminSecretArn is the provider credential (http, twilio); "" otherwise.
	AdminSecretArn string
	// MasterSecretArn is the RDS master secret (postgres strategies); "" otherwise.
	MasterSecretArn string
	// SecretsKeyArn encrypts every secret.
	SecretsKeyArn string
	// PlatformKeyArn encrypts the function's environment.
	PlatformKeyArn string
	// FunctionArn is the function's own ARN (the environment's encryption context).
	FunctionArn string
	// LogGroupArn is the function's own log group.
	LogGroupArn string
	// Replicas are the replica regions of the rotator's secrets, with their
	// keys: each new version the rotator puts is replicated with its rights.
	Replicas []ReplicaKey
}

// Policy is a rotator's inline policy: the rotation protocol on its own secrets,
// reads of the one credential its strategy needs, the secrets key only through
// Secrets Manager and only for those secrets, its own environment key, its
// own log group, and X-Ray.
//
// It grants no secretsmanager:GetRandomPassword: the Go rotator draws passwords
// from crypto/rand, so the one action rule 7 would allow on "*" is not needed.
func Policy(a PolicyArgs) iam.Document {
	viaSecretsManager := iam.Strings{a.Account.ViaSecretsManager()}
	rotate := iam.Strings(RotateActions())
	stmts := []iam.Statement{{
		Sid: SidRotateOwnSecret, Effect: iam.Allow,
		Action: rotate, Resource: iam.Strings(a.SecretArns),
	}}
	var reads iam.Strings
	if a.AdminSecretArn != "" {
		stmts = append(stmts, iam.Statement{
			Sid: SidReadAdminSecret, Effect: iam.Allow,
			Action: iam.Strings{"secretsmanager:GetSecretValue"}, Resource: iam.Strings{a.AdminSecretArn},
		})
		reads = append(reads, a.AdminSecretArn)
	}
	if a.MasterSecretArn != "" {
		stmts = append(stmts, iam.Statement{
			Sid: SidReadMasterSecret, Effect: iam.Allow,
			Action: iam.Strings{"secretsmanager:GetSecretValue"}, Resource: iam.Strings{a.MasterSecretArn},
		})
		reads = append(reads, a.MasterSecretArn)
	}
	// PutSecretValue encrypts (GenerateDataKey) and every read decrypts; the
	// encryption context names the secret, so the grant reaches no other one.
	stmts = append(stmts, iam.Statement{
		Sid: SidUseSecretsKey, Effect: iam.Allow,
		Action:   iam.Strings{"kms:Decrypt", "kms:GenerateDataKey"},
		Resource: iam.Strings{a.SecretsKeyArn},
		Condition: iam.Conditions{"StringEquals": {
			"kms:EncryptionContext:SecretARN": iam.Strings(a.SecretArns),
			"kms:ViaService":                  viaSecretsManager,
		}},
	})
	if len(reads) > 0 {
		stmts = append(stmts, iam.Statement{
			Sid: SidDecryptReadSecrets, Effect: iam.Allow,
			Action:   iam.Strings{"kms:Decrypt"},
			Resource: iam.Strings{a.SecretsKeyArn},
			Condition: iam.Conditions{"StringEquals": {
				"kms:EncryptionContext:SecretARN": reads,
				"kms:ViaService":                  viaSecretsManager,
			}},
		})
	}
	// Replication re-encrypts each new version with the replica region's
	// key, through that region's Secrets Manager, for the replica's ARN.
	for _, r := range a.Replicas {
		stmts = append(stmts, iam.Statement{
			Sid: SidReplicatePrefix + iam.RegionSid(r.Region), Effect: iam.Allow,
			Action:   iam.Strings(ReplicateActions()),
			Resource: iam.Strings{r.KeyArn},
			Condition: iam.Conditions{"StringEquals": {
				"kms:EncryptionContext:SecretARN": iam.Strings(r.SecretArns),
				"kms:ViaService":                  {a.Account.InRegion(r.Region).ViaSecretsManager()},
			}},
		})
	}
	stmts = append(stmts,
		// Lambda decrypts a CMK-encrypted environment with the execution role;
		// the context names this function, so no other environment opens.
		iam.Statement{
			Sid: SidDecryptEnvironment, Effect: iam.Allow,
			Action:   iam.Strings{"kms:Decrypt"},
			Resource: iam.Strings{a.PlatformKeyArn},
			Condition: iam.Conditions{"StringEquals": {
				"kms:EncryptionContext:aws:lambda:FunctionArn": {a.FunctionArn},
			}},
		},
		iam.Statement{
			Sid: SidOwnLogGroup, Effect: iam.Allow,
			Action:   iam.Strings{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: iam.Strings{a.LogGroupArn, a.LogGroupArn + ":log-stream:*"},
		},
		iam.Statement{
			Sid: SidTracing, Effect: iam.Allow,
			Action: iam.Strings(TracingActions()), Resource: iam.Strings{"*"},
		},
	)
	return iam.New(stmts...)
}

// sweeps reports whether the strategy revokes old keys after a grace period,
// and so gets the sweep schedule.
func sweeps(s config.Strategy) bool { return contract.Strategy(s).RevokesKeys() }

// inVPC reports whether the strategy's rotator reaches the database.
func inVPC(s config.Strategy) bool { return contract.Strategy(s).ReadsMasterSecret() }

// ReplicaKeys are the replica regions of a group's secrets with the keys
// there and the replicas of arns (the group's secrets' ARNs, in the order of
// group), in region order.
func ReplicaKeys(group []config.Secret, arns []string, keyArns map[string]string) []ReplicaKey {
	byRegion := map[string]*ReplicaKey{}
	var regions []string
	for i, s := range group {
		for _, r := range s.ReplicaRegions {
			k, ok := byRegion[r]
			if !ok {
				k = &ReplicaKey{Region: r, KeyArn: keyArns[r]}
				byRegion[r] = k
				regions = append(regions, r)
			}
			k.SecretArns = append(k.SecretArns, iam.ARNInRegion(arns[i], r))
		}
	}
	slices.Sort(regions)
	out := make([]ReplicaKey, 0, len(regions))
	for _, r := range regions {
		out = append(out, *byRegion[r])
	}
	return out
}
