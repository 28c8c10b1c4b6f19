package stack

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotator/contract"
)

// firstValueRunbook is how an operator puts a third-party value.
const firstValueRunbook = "docs/runbooks/first-value-third-party-key.md"

// migrationGuide says how existing resources' owners admit the rotator.
const migrationGuide = "docs/migrate-from-terraform.md"

// awaitingExports say, for a new stack's first day, which secrets still wait
// for an operator and what each unblocks: secretsAwaitingFirstValue lists the
// operator-valued secrets without their value (each with the command that
// shows whether the put happened), rotationsAwaitingPrerequisite the rotated
// secrets whose rotation is not deployed until then: until an operator's
// value is there, or, for a database secret, until the owners of an existing
// instance or endpoint made the changes changesForResourceOwners lists.
// Neither raises an alert: no rotation exists yet that could fail. An
// adopted secret waits for nothing: it has its value.
func awaitingExports(cfg config.Config) Exports {
	awaiting := pulumi.Map{}
	blocked := pulumi.Map{}
	for _, s := range cfg.Secrets {
		if s.OperatorValued() && !s.HasValue() {
			awaiting[s.Name] = pulumi.Map{
				"check":   pulumi.String(checkCommand(s.Name)),
				"then":    pulumi.String(recordPut(s)),
				"runbook": pulumi.String(firstValueRunbook),
			}
		}
		waitsFor, ok := cfg.AwaitingPrerequisite(s)
		switch {
		case !ok:
		case waitsFor == config.OwnerChangesPrerequisite:
			blocked[s.Name] = pulumi.Map{
				"waitsFor": pulumi.String(waitsFor),
				"check":    pulumi.String("pulumi stack output " + config.OwnerChangesPrerequisite + " --json"),
				"then":     pulumi.String("pulumi config set --path 'database.ownerChangesApplied' true && pulumi up"),
				"runbook":  pulumi.String(migrationGuide),
			}
		default:
			blocked[s.Name] = pulumi.Map{
				"waitsFor": pulumi.String(waitsFor),
				"check":    pulumi.String(checkCommand(waitsFor)),
				"runbook":  pulumi.String(firstValueRunbook),
			}
		}
	}
	return Exports{"secretsAwaitingFirstValue": awaiting, "rotationsAwaitingPrerequisite": blocked}
}

// recordPut is how the operator records the put: a config path for an entry
// of the stack file, an edit for an entry of a catalog file.
func recordPut(s config.Secret) string {
	if path, ok := strings.CutPrefix(s.Key, config.Project+":"); ok {
		return fmt.Sprintf("pulumi config set --path '%s.valuePut' true && pulumi up", path)
	}
	return fmt.Sprintf("set valuePut: true on %s, then pulumi up", s.Key)
}

// checkCommand prints the version id of the secret's current value once it
// is a real value, and nothing while the placeholder is current.
func checkCommand(name string) string {
	return fmt.Sprintf(`aws secretsmanager list-secret-version-ids --secret-id %s --query "Versions[?contains(VersionStages, 'AWSCURRENT') && !contains(VersionStages, '%s')].VersionId" --output text`,
		name, contract.PlaceholderStage)
}
