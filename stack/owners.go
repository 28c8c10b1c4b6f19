package stack

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/database"
	"github.com/acme/secrets-platform/iam"
)

// ownerExports list what the stack needs from owners of resources it did not
// create, since it changes none of them: rules on an existing instance's or
// endpoint's security group (changesForResourceOwners) and, per external
// secret, the statements its owner adds to the secret's resource policy and
// its key's policy so this stack's workloads can read it
// (externalSecretGrants, the same statements in machine-readable form).
// workloads is the access layer's export of the same name.
func ownerExports(b base, db *database.Database, workloads pulumi.Input) Exports {
	changes := pulumi.Array{}
	if db != nil {
		for _, c := range db.OwnerChanges {
			changes = append(changes, c.Map())
		}
	}
	grants := pulumi.Map{}
	for _, e := range b.cfg.ExternalSecrets {
		readers := externalReaders(b.cfg, e.Name, workloads)
		g := externalGrant(b, e, readers)
		grants[e.Name] = g
		changes = append(changes, externalChanges(b, e, g)...)
	}
	return Exports{"changesForResourceOwners": changes, "externalSecretGrants": grants}
}

// externalReaders are the ARNs of the roles that read the external secret,
// by the version stage their workload is limited to ("" for any): each
// workload's task, function or existing role, and an ECS execution role
// when it injects the secret.
func externalReaders(cfg config.Config, name string, workloads pulumi.Input) pulumi.StringArrayMapOutput {
	return pulumi.ToOutput(workloads).ApplyT(func(v any) (map[string][]string, error) {
		byName, _ := v.(map[string]any)
		out := map[string][]string{}
		for _, wl := range cfg.Workloads {
			if !slices.Contains(wl.Secrets, name) {
				continue
			}
			w, _ := byName[wl.Name].(map[string]any)
			if arn, _ := w["roleArn"].(string); arn != "" {
				out[wl.VersionStage] = append(out[wl.VersionStage], arn)
			}
			if arn, _ := w["executionRoleArn"].(string); arn != "" && slices.Contains(wl.InjectAtStart, name) {
				out[wl.VersionStage] = append(out[wl.VersionStage], arn)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("external secret %s: no workload role reads it", name)
		}
		for stage := range out {
			slices.Sort(out[stage])
		}
		return out, nil
	}).(pulumi.StringArrayMapOutput)
}

// externalGrant is what the owner of an external secret adds: resource
// policy statements letting the readers read (needed across accounts) and a
// key policy statement letting them decrypt through Secrets Manager, for
// that secret only: the same least privilege the program grants on its own
// secrets (SECURITY-RULES 5 and 10), a workload's version stage included, or
// the owner's grant would let it read what its own policy does not.
func externalGrant(b base, e config.ExternalSecret, readers pulumi.StringArrayMapOutput) pulumi.Map {
	sid := "SecretsPlatform" + strings.ToUpper(b.cfg.Environment[:1]) + strings.ReplaceAll(b.cfg.Environment[1:], "-", "") + "Read"
	resource := readers.ApplyT(func(byStage map[string][]string) (string, error) {
		var sts []iam.Statement
		for _, stage := range slices.Sorted(maps.Keys(byStage)) {
			st := iam.Statement{
				Sid: sid + strings.TrimPrefix(strings.ToLower(stage), "aws"), Effect: iam.Allow,
				Principal: &iam.Principal{AWS: iam.Strings(byStage[stage])},
				Action:    iam.Strings{"secretsmanager:GetSecretValue"}, Resource: iam.Strings{"*"},
			}
			if stage != "" {
				st.Condition = iam.Conditions{"StringEquals": {"secretsmanager:VersionStage": {stage}}}
			}
			sts = append(sts, st)
		}
		sts = append(sts, iam.Statement{
			Sid: sid + "Describe", Effect: iam.Allow, Principal: &iam.Principal{AWS: iam.Strings(all(byStage))},
			Action: iam.Strings{"secretsmanager:DescribeSecret"}, Resource: iam.Strings{"*"},
		})
		return iam.New(sts...).JSON()
	}).(pulumi.StringOutput)
	key := readers.ApplyT(func(byStage map[string][]string) (string, error) {
		return iam.New(iam.Statement{
			Sid: sid, Effect: iam.Allow, Principal: &iam.Principal{AWS: iam.Strings(all(byStage))},
			Action: iam.Strings{"kms:Decrypt"}, Resource: iam.Strings{"*"},
			Condition: iam.Conditions{"StringEquals": {
				"kms:ViaService":               {b.acct.ViaSecretsManager()},
				"kms:CallerAccount":            {b.acct.ID},
				iam.EncryptionContextSecretARN: {e.ARN},
			}},
		}).JSON()
	}).(pulumi.StringOutput)
	flat := readers.ApplyT(func(byStage map[string][]string) []string { return all(byStage) }).(pulumi.StringArrayOutput)
	return pulumi.Map{
		"secretArn": pulumi.String(e.ARN), "kmsKeyArn": pulumi.String(e.KmsKeyARN), "readers": flat,
		"resourcePolicy": resource, "keyPolicy": key,
		"sameAccount": pulumi.Bool(e.Account() == b.acct.ID),
	}
}

// all is every reader, once, in order.
func all(byStage map[string][]string) []string {
	var out []string
	for _, rs := range byStage {
		out = append(out, rs...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// externalChanges are the grant as changes with the owner's commands.
func externalChanges(b base, e config.ExternalSecret, g pulumi.Map) []pulumi.Input {
	owner := "account " + e.Account()
	resourceWhy := "let this stack's workload roles read it (GetSecretValue, limited to their version stage, and DescribeSecret): across accounts the identity policy the stack gives them is not enough"
	keyWhy := "let this stack's workload roles decrypt it through Secrets Manager, for this secret only"
	if e.Account() == b.acct.ID {
		owner = "this account, outside the stack"
		resourceWhy = "not needed in the same account (the identity policy the stack gives the readers is enough); add it only if the secret's policy denies them"
		keyWhy += ": needed only if the key policy does not let this account's IAM policies decide"
	}
	statement := func(k string) pulumi.StringOutput { return g[k].(pulumi.StringOutput) }
	return []pulumi.Input{
		pulumi.Map{
			"resource": pulumi.String(fmt.Sprintf("resource policy of secret %s (%s)", e.ARN, owner)),
			"change":   statement("resourcePolicy").ApplyT(func(s string) string { return "add the statements " + s + " to " + resourceWhy }),
			"command": pulumi.String(fmt.Sprintf("aws secretsmanager get-resource-policy --secret-id %s --query ResourcePolicy --output text > policy.json; "+
				"add the statement to policy.json; aws secretsmanager put-resource-policy --secret-id %s --resource-policy file://policy.json --block-public-policy", e.ARN, e.ARN)),
		},
		pulumi.Map{
			"resource": pulumi.String(fmt.Sprintf("key policy of %s (%s)", e.KmsKeyARN, owner)),
			"change":   statement("keyPolicy").ApplyT(func(s string) string { return "add the statement " + s + " to " + keyWhy }),
			"command": pulumi.String(fmt.Sprintf("aws kms get-key-policy --key-id %s --policy-name default --output text > key-policy.json; "+
				"add the statement to key-policy.json; aws kms put-key-policy --key-id %s --policy-name default --policy file://key-policy.json", e.KmsKeyARN, e.KmsKeyARN)),
		},
	}
}
