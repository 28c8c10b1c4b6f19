package rules

import (
	"slices"
	"strconv"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
)

// AgeRuleSource is the AWS Config managed rule that alarms on manual secrets.
const AgeRuleSource = "SECRETSMANAGER_SECRET_PERIODIC_ROTATION"

// ExceptionForwarderWithoutDeadLetters: a replica region's forwarder puts
// events on the stack region's bus and has no dead-letter queue or alarm of
// its own (alerts/forward.go says why).
const ExceptionForwarderWithoutDeadLetters = "replica-forwarder-without-dead-letter-queue"

func alertExceptions() []Exception {
	return []Exception{{
		Rule: 22, Name: ExceptionForwarderWithoutDeadLetters,
		Why: "EventBridge takes a dead-letter queue only in the rule's region, and an alarm there could notify no topic of the stack's region; a replica region would need its own queue, key and topic, with subscriptions to confirm. The forwarder retries for 24 hours; what it could not deliver is lost",
	}}
}

// alertRules check the alert topic, rules and alarms.
func alertRules() []Rule {
	return []Rule{
		{ID: 1, Title: "alert topics are encrypted with a customer-managed key of the stack", Check: checkTopicsUseCMK},
		{ID: 2, Title: "manual secrets have an age alarm; rotation functions have error and throttle alarms", Check: checkAgeAndRotatorAlarms},
		{ID: 4, Title: "topic policies: no * principal in an Allow, every service conditioned on its source", Check: checkTopicPolicies},
		{ID: 2, Title: "every event rule and alarm delivers to an alert topic of the stack", Check: checkAlertsDelivered},
		{ID: 22, Title: "every event target dead-letters to a queue of the stack that admits its rule, and an alarm watches its rule's failed deliveries", Check: checkTargetsDeadLetter},
	}
}

// checkTargetsDeadLetter: an event EventBridge gives up on is kept and
// alarmed, whatever the target (an alert, a grace sweep, a redeployment).
func checkTargetsDeadLetter(rec *mockrun.Recording) []Violation {
	acct := iam.Account{ID: rec.Account(), Partition: iam.PartitionOfRegion(rec.Region), Region: rec.Region}
	admits := map[string][]string{} // a queue's URL: the rule ARNs (or patterns) its policy admits
	for _, p := range rec.OfType("aws:sqs/queuePolicy:QueuePolicy") {
		doc, err := iam.Parse(p.Str("policy"))
		if err != nil {
			continue
		}
		for _, st := range doc.Statement {
			if st.Effect == iam.Allow && slices.Contains(st.Action, "sqs:SendMessage") {
				admits[p.Str("queueUrl")] = append(admits[p.Str("queueUrl")], slices.Concat(st.Condition["ArnLike"]["aws:SourceArn"], st.Condition["ArnEquals"]["aws:SourceArn"])...)
			}
		}
	}
	queues := map[string]string{} // a queue's ARN: its URL
	for _, q := range rec.OfType("aws:sqs/queue:Queue") {
		if q.Region == rec.Region {
			queues[q.StateStr("arn")] = q.StateStr("url")
		}
	}
	alarmed := map[string]bool{}
	for _, a := range rec.OfType(mockrun.TypeMetricAlarm) {
		if a.Str("namespace") == "AWS/Events" && a.Str("metricName") == "FailedInvocations" {
			alarmed[a.Str("dimensions.RuleName")] = true
		}
	}
	bus := iam.DefaultEventBusARN(acct)
	var out []Violation
	for _, t := range rec.OfType(mockrun.TypeEventTarget) {
		rule := t.Str("rule")
		if t.Region != rec.Region {
			// ExceptionForwarderWithoutDeadLetters: only a forwarder to the
			// stack region's bus.
			if t.Str("arn") != bus {
				out = append(out, violation(22, t, "target of rule %s in %s is not a forwarder to %s, the only target outside the stack's region without a dead-letter queue (exception %s)", rule, t.Region, bus, ExceptionForwarderWithoutDeadLetters))
			}
			continue
		}
		url, ok := queues[t.Str("deadLetterConfig.arn")]
		if !ok {
			out = append(out, violation(22, t, "target of rule %s has no dead-letter queue of the stack (deadLetterConfig %q)", rule, t.Str("deadLetterConfig.arn")))
			continue
		}
		arn := iam.EventRuleARN(acct, rule)
		if !slices.ContainsFunc(admits[url], func(p string) bool { return iam.ArnLike(p, arn) }) {
			out = append(out, violation(22, t, "the dead-letter queue's policy does not admit rule %s: its undeliverable events would be dropped", rule))
		}
		if !alarmed[rule] {
			out = append(out, violation(22, t, "no alarm watches the failed deliveries of rule %s", rule))
		}
	}
	return out
}

func checkTopicsUseCMK(rec *mockrun.Recording) []Violation {
	cmks := keyARNs(rec)
	var out []Violation
	for _, t := range rec.OfType(mockrun.TypeTopic) {
		if k := t.Str("kmsMasterKeyId"); !slices.Contains(cmks, k) {
			out = append(out, violation(1, t, "kmsMasterKeyId %q is not a customer-managed key of this stack", k))
		}
	}
	return out
}

func checkAgeAndRotatorAlarms(rec *mockrun.Recording) []Violation {
	var out []Violation
	var manual []mockrun.Resource
	for _, s := range rec.OfType(mockrun.TypeSecret) {
		if s.Tags()["Rotation"] == "manual" {
			manual = append(manual, s)
		}
	}
	if len(manual) > 0 {
		var age []mockrun.Resource
		for _, r := range rec.OfType(mockrun.TypeConfigRule) {
			if r.Str("source.owner") == "AWS" && r.Str("source.sourceIdentifier") == AgeRuleSource &&
				r.Str("scope.tagKey") == "Rotation" && r.Str("scope.tagValue") == "manual" {
				age = append(age, r)
			}
		}
		if len(age) == 0 {
			for _, s := range manual {
				out = append(out, violation(2, s, "manually rotated secret with no age rule (%s scoped to Rotation=manual)", AgeRuleSource))
			}
		}
		for _, r := range age {
			var params map[string]string
			if err := r.JSON("inputParameters", &params); err != nil {
				out = append(out, violation(2, r, "age rule parameters: %v", err))
				continue
			}
			if days, err := strconv.Atoi(params["maxDaysSinceRotation"]); err != nil || days < 1 || days > 90 {
				out = append(out, violation(2, r, "maxDaysSinceRotation = %q, want 1-90", params["maxDaysSinceRotation"]))
			}
		}
	}
	alarmed := map[string]map[string]bool{}
	for _, a := range rec.OfType(mockrun.TypeMetricAlarm) {
		if a.Str("namespace") != "AWS/Lambda" {
			continue
		}
		fn := a.Str("dimensions.FunctionName")
		if alarmed[fn] == nil {
			alarmed[fn] = map[string]bool{}
		}
		alarmed[fn][a.Str("metricName")] = true
	}
	for _, f := range rec.OfType(mockrun.TypeFunction) {
		name := f.StateStr("name")
		for _, metric := range []string{"Errors", "Throttles"} {
			if !alarmed[name][metric] {
				out = append(out, violation(2, f, "no %s alarm on function %s", metric, name))
			}
		}
	}
	return out
}

func checkTopicPolicies(rec *mockrun.Recording) []Violation {
	var out []Violation
	for _, p := range rec.OfType(mockrun.TypeTopicPolicy) {
		doc, err := iam.Parse(p.Str("policy"))
		if err != nil {
			out = append(out, violation(4, p, "topic policy does not parse: %v", err))
			continue
		}
		for _, st := range doc.Statement {
			if st.Effect != iam.Allow {
				continue
			}
			if st.Principal == nil || st.Principal.Any || slices.Contains(st.Principal.AWS, "*") {
				out = append(out, violation(4, p, "statement %s allows a * principal", st.Sid))
			}
			if st.Principal != nil && len(st.Principal.Service) > 0 &&
				(len(st.Condition["ArnLike"]["aws:SourceArn"]) == 0 || len(st.Condition["StringEquals"]["aws:SourceAccount"]) == 0) {
				out = append(out, violation(4, p, "service statement %s is not conditioned on aws:SourceArn and aws:SourceAccount", st.Sid))
			}
		}
	}
	return out
}

func checkAlertsDelivered(rec *mockrun.Recording) []Violation {
	var topics []string
	for _, t := range rec.OfType(mockrun.TypeTopic) {
		topics = append(topics, t.StateStr("arn"))
	}
	var machines []string
	for _, m := range rec.OfType("aws:sfn/stateMachine:StateMachine") {
		machines = append(machines, m.StateStr("arn"))
	}
	// A replica region's forwarder delivers to the default bus of the
	// stack's region, whose rules deliver to the topic (alerts/forward.go).
	bus := iam.DefaultEventBusARN(iam.Account{ID: rec.Account(), Partition: iam.PartitionOfRegion(rec.Region), Region: rec.Region})
	targeted, drives := map[string]bool{}, map[string]bool{}
	for _, t := range rec.OfType(mockrun.TypeEventTarget) {
		if slices.Contains(topics, t.Str("arn")) || (t.Str("arn") == bus && t.Region != rec.Region) {
			targeted[t.Region+"/"+t.Str("rule")] = true
		}
		// A redeployer's rule starts the stack's own state machine: work,
		// not an alert (its failures alarm on the topic instead).
		if slices.Contains(machines, t.Str("arn")) {
			drives[t.Str("rule")] = true
		}
	}
	var out []Violation
	for _, r := range rec.OfType(mockrun.TypeEventRule) {
		if r.Str("scheduleExpression") != "" || drives[r.StateStr("name")] {
			continue // schedules and redeployers drive work (the grace sweeper, new ECS tasks), not alerts
		}
		if !targeted[r.Region+"/"+r.StateStr("name")] {
			out = append(out, violation(2, r, "event rule %s has no target on an alert topic (or, in a replica region, the stack region's bus)", r.StateStr("name")))
		}
	}
	for _, a := range rec.OfType(mockrun.TypeMetricAlarm) {
		actions := a.Strings("alarmActions")
		if len(actions) == 0 || !slices.ContainsFunc(actions, func(s string) bool { return slices.Contains(topics, s) }) {
			out = append(out, violation(2, a, "alarm %s does not notify an alert topic (actions %v)", a.Str("name"), actions))
		}
	}
	return out
}
