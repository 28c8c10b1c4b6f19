package iam

// Service principals that assume workload roles.
const (
	ECSTasksService = "ecs-tasks.amazonaws.com"
	LambdaService   = "lambda.amazonaws.com"
)

// ECSTaskTrust lets ECS tasks of this account, in its region or in the
// regions given (where the workload runs), and no other account's, assume a
// role: aws:SourceAccount and aws:SourceArn stop a confused deputy in
// another account from borrowing it.
func ECSTaskTrust(a Account, regions ...string) Document {
	if len(regions) == 0 {
		regions = []string{a.Region}
	}
	var sources Strings
	for _, r := range regions {
		sources = append(sources, a.InRegion(r).ARN("ecs", "*"))
	}
	return New(Statement{
		Sid:       "ECSTasksOfThisAccount",
		Effect:    Allow,
		Principal: &Principal{Service: Strings{ECSTasksService}},
		Action:    Strings{"sts:AssumeRole"},
		Condition: Conditions{
			"StringEquals": {"aws:SourceAccount": {a.ID}},
			"ArnLike":      {"aws:SourceArn": sources},
		},
	})
}

// LambdaTrust lets Lambda assume a function execution role for functions of
// this account only.
func LambdaTrust(accountID string) Document {
	return New(Statement{
		Sid:       "LambdaFunctionsOfThisAccount",
		Effect:    Allow,
		Principal: &Principal{Service: Strings{LambdaService}},
		Action:    Strings{"sts:AssumeRole"},
		Condition: Conditions{"StringEquals": {"aws:SourceAccount": {accountID}}},
	})
}

// More service principals that assume roles the program makes.
const (
	// EKSPodsService is EKS Pod Identity, which assumes a workload's role for
	// the pods of the service account it is associated with.
	EKSPodsService = "pods.eks.amazonaws.com"
	// StatesService runs Step Functions state machines (the redeployer).
	StatesService = "states.amazonaws.com"
	// EventsService is EventBridge, which starts a rule's targets.
	EventsService = "events.amazonaws.com"
)

// The session tags EKS Pod Identity puts on its AssumeRole request (Amazon
// EKS User Guide, "Define permissions for EKS Pod Identities to assume roles
// based on tags"); a trust policy conditions on them as aws:RequestTag/<key>.
const (
	TagEKSClusterARN        = "eks-cluster-arn"
	TagKubernetesNamespace  = "kubernetes-namespace"
	TagKubernetesServiceAcc = "kubernetes-service-account"
)

// EKSClusterARN is the ARN of an EKS cluster of this account and region.
func EKSClusterARN(a Account, cluster string) string { return a.ARN("eks", "cluster/"+cluster) }

// EKSPodIdentityTrust lets EKS Pod Identity assume a role for one service
// account of one namespace of one cluster, as the Amazon EKS User Guide
// documents it ("Create IAM role with trust policy required by EKS Pod
// Identity"): sts:AssumeRole with sts:TagSession, both conditioned on the
// session tags the service sets. Any other association in the account, in
// another cluster or for another service account, is refused; so is one
// made with disableSessionTags, which carries no tags to match.
func EKSPodIdentityTrust(a Account, cluster, namespace, serviceAccount string) Document {
	return New(Statement{
		Sid:       "EKSPodIdentityOfOneServiceAccount",
		Effect:    Allow,
		Principal: &Principal{Service: Strings{EKSPodsService}},
		Action:    Strings{"sts:AssumeRole", "sts:TagSession"},
		Condition: Conditions{"StringEquals": {
			"aws:RequestTag/" + TagEKSClusterARN:        {EKSClusterARN(a, cluster)},
			"aws:RequestTag/" + TagKubernetesNamespace:  {namespace},
			"aws:RequestTag/" + TagKubernetesServiceAcc: {serviceAccount},
		}},
	})
}

// StatesTrust lets Step Functions assume a role for one state machine of
// this account: no other state machine, and no other account's, can borrow it.
func StatesTrust(a Account, stateMachineARN string) Document {
	return oneSourceTrust("OneStateMachineOfThisAccount", StatesService, a, stateMachineARN)
}

// EventsTrust lets EventBridge assume a role for one rule of this account.
func EventsTrust(a Account, ruleARN string) Document {
	return oneSourceTrust("OneRuleOfThisAccount", EventsService, a, ruleARN)
}

// EventsTrustForRules lets EventBridge assume a role for the named rules of
// this account and no other: the alert forwarders of the replica regions
// share one role, each rule named by its ARN in its own region.
func EventsTrustForRules(a Account, ruleARNs []string) Document {
	return oneSourceTrust("NamedRulesOfThisAccount", EventsService, a, ruleARNs...)
}

// oneSourceTrust lets a service assume a role on behalf of named resources
// of this account (aws:SourceAccount and aws:SourceArn, AWS's guard against
// a confused deputy).
func oneSourceTrust(sid, service string, a Account, sourceARNs ...string) Document {
	return New(Statement{
		Sid:       sid,
		Effect:    Allow,
		Principal: &Principal{Service: Strings{service}},
		Action:    Strings{"sts:AssumeRole"},
		Condition: Conditions{
			"StringEquals": {"aws:SourceAccount": {a.ID}},
			"ArnEquals":    {"aws:SourceArn": Strings(sourceARNs)},
		},
	})
}
