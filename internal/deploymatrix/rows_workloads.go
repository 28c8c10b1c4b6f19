package deploymatrix

// workloadRows: what the workloads' access brings beyond roles and log
// groups: the EKS Pod Identity association of an eks workload and the state
// machine of an ECS redeployer (its rule, target, roles and alarms are rows
// of their own types). Passing a role to a service is authorised as
// iam:PassRole with iam:PassedToService (AWS IAM user guide, "Granting a
// user permissions to pass a role to an AWS service").
func workloadRows() []Row {
	return []Row{
		{Type: "aws:eks/podIdentityAssociation:PodIdentityAssociation", Terraform: "aws_eks_pod_identity_association", Deployer: Program,
			Source: tf("internal/service/eks/pod_identity_association.go@00a35305dc1b") +
				"; Amazon EKS user guide, \"Assign an IAM role to a Kubernetes service account\" (iam:PassRole to create an association), tagging (eks:TagResource to tag on create)",
			Calls: []Call{
				{Action: "eks:CreatePodIdentityAssociation", Phases: Create, On: EKSCluster, Field: "clusterName", Context: []Context{RequestTags}},
				{Action: "eks:TagResource", Phases: Create | Update, On: Self, Context: []Context{RequestTags}},
				{Action: "iam:PassRole", Phases: Create | Update, On: Role, Field: "roleArn", Context: []Context{PassedTo("pods.eks.amazonaws.com")}},
				{Action: "eks:DescribePodIdentityAssociation", Phases: CRUD, On: Self, Note: "tags come with the description"},
				{Action: "eks:UpdatePodIdentityAssociation", Phases: Update, On: Self, Context: []Context{ResourceTags}, Note: "roleArn changes"},
				{Action: "eks:UntagResource", Phases: Update, On: Self, Context: []Context{ResourceTags}},
				{Action: "eks:DeletePodIdentityAssociation", Phases: Delete, On: Self, Context: []Context{ResourceTags}},
			}},
		{Type: "aws:sfn/stateMachine:StateMachine", Terraform: "aws_sfn_state_machine", Deployer: Program,
			Source: tf("internal/service/sfn/state_machine.go") +
				"; AWS Step Functions developer guide, tagging (states:TagResource to tag on create) and \"IAM policies for state machines\" (iam:PassRole)",
			Calls: []Call{
				{Action: "states:CreateStateMachine", Phases: Create, On: Self, Context: []Context{RequestTags}},
				{Action: "states:TagResource", Phases: Create | Update, On: Self, Context: []Context{RequestTags}},
				{Action: "iam:PassRole", Phases: Create | Update, On: Role, Field: "roleArn", Context: []Context{PassedTo("states.amazonaws.com")}},
				{Action: "states:DescribeStateMachine", Phases: CRUD, On: Self, Note: "delete waits until it is gone"},
				{Action: "states:ListStateMachineVersions", Phases: Create | Read | Update, On: Self},
				{Action: "states:ListTagsForResource", Phases: Create | Read | Update, On: Self},
				{Action: "states:UpdateStateMachine", Phases: Update, On: Self},
				{Action: "states:UntagResource", Phases: Update, On: Self},
				{Action: "states:DeleteStateMachine", Phases: Delete, On: Self},
			}},
	}
}
