package stack

import (
	"fmt"
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

// externalReaders are the ARNs of the roles that read the external secret:
// each workload's task, function or existing role, and an ECS execution
// role when it injects the secret.
func externalReaders(cfg config.Config, name string, workloads pulumi.Input) pulumi.StringArrayOutput {
	return pulumi.ToOutput(workloads).ApplyT(func(v any) ([]string, error) {
		byName, _ := v.(map[string]any)
		var out []string
		for _, wl := range cfg.Workloads {
			if !slices.Contains(wl.Secrets, name) {
				continue
			}
			w, _ := byName[wl.Name].(map[string]any)
			if arn, _ := w["roleArn"].(string); arn != "" {
				out = append(out, arn)
			}
			if arn, _ := w["executionRoleArn"].(string); arn != "" && slices.Contains(wl.InjectAtStart, name) {
				out = append(out, arn)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("external secret %s: no workload role reads it", name)
		}
		slices.Sort(out)
		return out, nil
	}).(pulumi.StringArrayOutput)
}

// externalGrant is what the owner of an external secret adds: a resource
// policy statement letting the readers read (needed across accounts) and a
// key policy statement letting them decrypt through Secrets Manager, for
// that secret only: the same least privilege the program grants on its own
// secrets (SECURITY-RULES 5 and 10).
func externalGrant(b base, e config.ExternalSecret, readers pulumi.StringArrayOutput) pulumi.Map {
	sid := "SecretsPlatform" + strings.ToUpper(b.cfg.Environment[:1]) + strings.ReplaceAll(b.cfg.Environment[1:], "-", "") + "Read"
	resource := readers.ApplyT(func(rs []string) (string, error) {
		return iam.New(iam.Statement{
			Sid: sid, Effect: iam.Allow, Principal: &iam.Principal{AWS: iam.Strings(rs)},
			Action: iam.Strings(iam.ReadActions()), Resource: iam.Strings{"*"},
		}).JSON()
	}).(pulumi.StringOutput)
	key := readers.ApplyT(func(rs []string) (string, error) {
		return iam.New(iam.Statement{
			Sid: sid, Effect: iam.Allow, Principal: &iam.Principal{AWS: iam.Strings(rs)},
			Action: iam.Strings{"kms:Decrypt"}, Resource: iam.Strings{"*"},
			Condition: iam.Conditions{"StringEquals": {
				"kms:ViaService":               {b.acct.ViaSecretsManager()},
				"kms:CallerAccount":            {b.acct.ID},
				iam.EncryptionContextSecretARN: {e.ARN},
			}},
		}).JSON()
	}).(pulumi.StringOutput)
	return pulumi.Map{
		"secretArn": pulumi.String(e.ARN), "kmsKeyArn": pulumi.String(e.KmsKeyARN), "readers": readers,
		"resourcePolicy": resource, "keyPolicy": key,
		"sameAccount": pulumi.Bool(e.Account() == b.acct.ID),
	}
}

// externalChanges are the grant as changes with the owner's commands.
func externalChanges(b base, e config.ExternalSecret, g pulumi.Map) []pulumi.Input {
	owner := "account " + e.Account()
	resourceWhy := "let this stack's workload roles read it (GetSecretValue, DescribeSecret): across accounts the identity policy the stack gives them is not enough"
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
			"change":   statement("resourcePolicy").ApplyT(func(s string) string { return "add the statement " + s + " to " + resourceWhy }),
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
