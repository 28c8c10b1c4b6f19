package main

import (
	"github.com/acme/secrets-platform/iam"
)

// workloadStatements are what the workloads' access registers beyond roles
// and log groups: the redeployers' state machines (package redeploy) and
// the Pod Identity associations of eks workloads. Each role is passed only
// to the service whose trust it carries, by the name suffix the program
// gives it (iam.NewWorkload, redeploy.NamesOf), so no environment role
// reaches a service it was not made for.
func (s scope) workloadStatements() []iam.Statement {
	role := func(suffix string) iam.Strings {
		return iam.Strings{s.a.GlobalARN("iam", "role/"+s.prefix()+"*-"+suffix)}
	}
	associations := iam.Strings{s.a.ARN("eks", "podidentityassociation/*")}
	return []iam.Statement{
		{Sid: "PassRedeployRolesToStepFunctions", Effect: iam.Allow, Action: iam.Strings{"iam:PassRole"}, Resource: role("redeploy"),
			Condition: iam.Conditions{"StringEquals": {"iam:PassedToService": {iam.StatesService}}}},
		{Sid: "PassTriggerRolesToEventBridge", Effect: iam.Allow, Action: iam.Strings{"iam:PassRole"}, Resource: role("trigger"),
			Condition: iam.Conditions{"StringEquals": {"iam:PassedToService": {iam.EventsService}}}},
		{Sid: "PassPodRolesToEKSPodIdentity", Effect: iam.Allow, Action: iam.Strings{"iam:PassRole"}, Resource: role("pod"),
			Condition: iam.Conditions{"StringEquals": {"iam:PassedToService": {iam.EKSPodsService}}}},
		{Sid: "CreateStateMachinesTagged", Effect: iam.Allow, Action: iam.Strings{"states:CreateStateMachine"},
			Resource: iam.Strings{s.stateMachines()}, Condition: iam.Conditions{"StringEquals": s.requestTags()}},
		{Sid: "StateMachinesOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"states:DeleteStateMachine", "states:DescribeStateMachine", "states:ListStateMachineVersions",
			"states:ListTagsForResource", "states:TagResource", "states:UntagResource", "states:UpdateStateMachine",
		}, Resource: iam.Strings{s.stateMachines()}},
		// A cluster is the workload owner's; an association is made only
		// tagged as the stack's, and changed only when it is.
		{Sid: "CreatePodIdentityAssociationsTagged", Effect: iam.Allow,
			Action:    iam.Strings{"eks:CreatePodIdentityAssociation", "eks:TagResource"},
			Resource:  append(iam.Strings{s.a.ARN("eks", "cluster/*")}, associations...),
			Condition: iam.Conditions{"StringEquals": s.requestTags()}},
		{Sid: "ChangeOnlyTheStacksPodIdentityAssociations", Effect: iam.Allow, Action: iam.Strings{
			"eks:DeletePodIdentityAssociation", "eks:UntagResource", "eks:UpdatePodIdentityAssociation",
		}, Resource: associations, Condition: iam.Conditions{"StringEquals": s.resourceTags()}},
		{Sid: "ReadPodIdentityAssociations", Effect: iam.Allow, Action: iam.Strings{"eks:DescribePodIdentityAssociation"},
			Resource: associations},
	}
}
