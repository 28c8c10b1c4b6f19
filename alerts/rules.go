package alerts

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cfg"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Severities an alert message carries, so a subscriber can route them.
const (
	// SeverityHigh: look now; someone may be reading, redirecting or hiding.
	SeverityHigh = "high"
	// SeverityWarning: work to do soon (a manual secret is too old).
	SeverityWarning = "warning"
	// SeverityInfo: expected when announced (an operator put a value).
	SeverityInfo = "info"
)

// Rule is one EventBridge rule of a stack's alerting.
type Rule struct {
	// Suffix names the Pulumi resources ("alerts-<suffix>").
	Suffix string
	// Name is the rule's name, "{env}-...".
	Name string
	// Severity is what the message says.
	Severity string
	// Description says what it matches.
	Description string
	// Pattern is the event pattern.
	Pattern string
}

// TamperRuleName is the rule that watches the alert path itself.
func TamperRuleName(env string) string { return env + "-alert-path-tampering" }

// maxRules is how many rules Rules returns for a stack with manual secrets
// and operator roles; each missing removes one. The scale budget counts them
// (RuleCount).
const maxRules = 8

// RuleCount is how many EventBridge rules the alerting of a stack puts on the
// account's default event bus (the rotation sweeps are the rotation layer's).
func RuleCount(manualSecrets, operatorRoles int) int {
	n := maxRules
	if manualSecrets == 0 {
		n--
	}
	if operatorRoles == 0 {
		n--
	}
	return n
}

// Rules is every rule of a stack's alerting, in a fixed order; each pattern
// fits EventBridge's size quota.
func Rules(args *Args) ([]Rule, error) {
	env := args.Environment
	d := Detection{Environment: env, Account: args.Account, OperatorRoles: roleNames(args.OperatorRoleARNs)}
	type spec struct {
		suffix, name, severity, description string
		pattern                             func() (string, error)
	}
	specs := []spec{
		{"rotation-failed", env + "-secret-rotation-failed", SeverityHigh,
			"Secrets Manager rotation failed, was abandoned, or its test failed", RotationPattern},
		{"dangerous-calls", env + "-secrets-dangerous-calls", SeverityHigh,
			"CloudTrail: a secret or key was deleted, disabled, or its policy changed; or the tampering rule was changed",
			func() (string, error) { return DangerousCallPattern(env) }},
		{"changed-by-people", env + "-secrets-changed-by-people", SeverityHigh,
			"CloudTrail: a person put a value, moved a stage, redirected or cancelled rotation, started replication, changed a key's rotation, alias or grants",
			func() (string, error) { return PeopleChangingSecretsPattern(d) }},
		{"replication", env + "-secret-replication", SeverityHigh,
			"A replica of a secret failed to replicate, was promoted to a standalone secret, or its region was removed (docs/runbooks/promote-replica.md)",
			ReplicationPattern},
		{"tampering", TamperRuleName(env), SeverityHigh,
			"CloudTrail: the alert rules, topic, dead-letter queue, alarms, CloudTrail or AWS Config were changed or stopped",
			func() (string, error) { return TamperPattern(d) }},
		{"break-glass", env + "-break-glass-used", SeverityHigh,
			"CloudTrail: someone assumed the break-glass read role (docs/runbooks/break-glass-read.md)",
			func() (string, error) { return BreakGlassPattern(args.Account) }},
	}
	if len(d.OperatorRoles) > 0 {
		specs = append(specs, spec{"operator-put", env + "-secret-value-put-by-operator", SeverityInfo,
			"CloudTrail: an operator role put a value (a first value or a manual roll, as the runbooks do)",
			func() (string, error) { return OperatorPutPattern(d) }})
	}
	if len(args.ManualSecrets) > 0 {
		specs = append(specs, spec{"manual-age", env + "-manual-secret-too-old", SeverityWarning,
			fmt.Sprintf("A manually rotated secret is older than %d days", args.MaxSecretAgeDays),
			func() (string, error) { return AgePattern(AgeRuleName(env)) }})
	}
	out := make([]Rule, 0, len(specs))
	for _, s := range specs {
		p, err := s.pattern()
		if err != nil {
			return nil, err
		}
		if err := checkPattern(s.name, p); err != nil {
			return nil, err
		}
		out = append(out, Rule{Suffix: s.suffix, Name: s.name, Severity: s.severity, Description: s.description, Pattern: p})
	}
	return out, nil
}

// roleNames are the names of role ARNs (after the last "/", since CloudTrail
// names the issuer of an assumed-role session by its name alone).
func roleNames(arns []string) []string {
	var out []string
	for _, a := range arns {
		out = append(out, a[strings.LastIndex(a, "/")+1:])
	}
	return out
}

// MessageTemplate is the target's input template: the severity and rule in
// front of the event itself, so a subscriber sees at once how urgent it is.
func MessageTemplate(r Rule) (string, error) {
	sev, err := json.Marshal(r.Severity)
	if err != nil {
		return "", fmt.Errorf("message template of %s: %w", r.Name, err)
	}
	desc, err := json.Marshal(r.Description)
	if err != nil {
		return "", fmt.Errorf("message template of %s: %w", r.Name, err)
	}
	return fmt.Sprintf(`{"severity":%s,"alert":"<aws.events.rule-name>","what":%s,"event":<aws.events.event.json>}`, sev, desc), nil
}

// Retry bounds of every target: EventBridge's maxima (24 hours, 185
// attempts), so a topic that is briefly unavailable loses nothing; what still
// fails goes to the dead-letter queue.
const (
	retryMaxAgeSeconds = 86400
	retryMaxAttempts   = 185
)

// eventRules registers the age rule of AWS Config (with manual secrets) and
// every EventBridge rule with its target: the topic, with the dead-letter
// queue and the retry bounds. It returns the rules, for the queue policy and
// the alarms.
func eventRules(ctx *pulumi.Context, name string, topic *sns.Topic, dlq *sqs.Queue, args *Args, tags pulumi.StringMap, parent pulumi.Resource) (map[string]*cloudwatch.EventRule, error) {
	env := args.Environment
	if len(args.ManualSecrets) > 0 {
		if _, err := cfg.NewRule(ctx, name+"-manual-age-rule", &cfg.RuleArgs{
			Name: pulumi.String(AgeRuleName(env)),
			Description: pulumi.String(fmt.Sprintf(
				"A manually rotated secret of %s whose value is older than %d days: roll it (docs/runbooks/roll-manual-key.md)", env, args.MaxSecretAgeDays)),
			Source:          cfg.RuleSourceArgs{Owner: pulumi.String("AWS"), SourceIdentifier: pulumi.String(AgeRuleIdentifier)},
			InputParameters: pulumi.String(fmt.Sprintf(`{"maxDaysSinceRotation":"%d"}`, args.MaxSecretAgeDays)),
			// The catalog tags every manual secret Rotation=manual.
			Scope: cfg.RuleScopeArgs{
				ComplianceResourceTypes: pulumi.ToStringArray([]string{"AWS::SecretsManager::Secret"}),
				TagKey:                  pulumi.String("Rotation"),
				TagValue:                pulumi.String("manual"),
			},
			MaximumExecutionFrequency: pulumi.String("TwentyFour_Hours"),
			Tags:                      tags,
		}, pulumi.Parent(parent)); err != nil {
			return nil, fmt.Errorf("create manual secret age rule: %w", err)
		}
	}
	rules, err := Rules(args)
	if err != nil {
		return nil, fmt.Errorf("alert rules of %s: %w", env, err)
	}
	out := map[string]*cloudwatch.EventRule{}
	for _, r := range rules {
		rule, err := cloudwatch.NewEventRule(ctx, name+"-"+r.Suffix, &cloudwatch.EventRuleArgs{
			Name: pulumi.String(r.Name), Description: pulumi.String(r.Description),
			EventPattern: pulumi.String(r.Pattern), State: pulumi.String("ENABLED"), Tags: tags,
		}, pulumi.Parent(parent))
		if err != nil {
			return nil, fmt.Errorf("create event rule %s: %w", r.Name, err)
		}
		template, err := MessageTemplate(r)
		if err != nil {
			return nil, err
		}
		if _, err := cloudwatch.NewEventTarget(ctx, name+"-"+r.Suffix+"-to-topic", &cloudwatch.EventTargetArgs{
			Rule: rule.Name, Arn: topic.Arn, TargetId: pulumi.String("alert-topic"),
			InputTransformer: &cloudwatch.EventTargetInputTransformerArgs{InputTemplate: pulumi.String(template)},
			DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: dlq.Arn},
			RetryPolicy: &cloudwatch.EventTargetRetryPolicyArgs{
				MaximumEventAgeInSeconds: pulumi.Int(retryMaxAgeSeconds), MaximumRetryAttempts: pulumi.Int(retryMaxAttempts),
			},
		}, pulumi.Parent(parent)); err != nil {
			return nil, fmt.Errorf("create event target %s: %w", r.Name, err)
		}
		out[r.Name] = rule
	}
	return out, nil
}
