package redeploy

import "github.com/acme/secrets-platform/iam"

// Names are what a redeployer of one workload is called in AWS: all start
// with iam.RolePrefix(env), the names the deploy role manages.
type Names struct {
	// StateMachine and Rule are {env}-{workload}-redeploy.
	StateMachine, Rule string
	// MachineRole is the state machine's role ({env}-{workload}-redeploy),
	// TriggerRole the rule's ({env}-{workload}-trigger).
	MachineRole, TriggerRole string
	// FailedAlarm watches the state machine's failed executions,
	// NotStartedAlarm the rule's failed invocations.
	FailedAlarm, NotStartedAlarm string
}

// NamesOf returns the names of a workload's redeployer.
func NamesOf(env, workload string) Names {
	base := iam.RolePrefix(env) + workload
	return Names{
		StateMachine: base + "-redeploy", Rule: base + "-redeploy",
		MachineRole: base + "-redeploy", TriggerRole: base + "-trigger",
		FailedAlarm: base + "-redeploy-failed", NotStartedAlarm: base + "-redeploy-not-started",
	}
}

// RulesPerWorkload is how many EventBridge rules a redeployer puts on the
// default event bus: one, whatever the number of secrets it watches. The
// stack's rule budget counts it (RuleCount).
const RulesPerWorkload = 1

// AlarmsPerWorkload is how many alarms a redeployer has: a failed
// redeployment, and one the rule could not start.
const AlarmsPerWorkload = 2

// RuleCount is how many EventBridge rules the redeployers of n workloads use.
func RuleCount(n int) int { return n * RulesPerWorkload }
