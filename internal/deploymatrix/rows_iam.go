package deploymatrix

// iamRows: the roles the program creates, their policies, and the read
// policies of existing roles. Every call that AWS lets a policy condition on
// the role's permissions boundary carries it (Service Authorization
// Reference, IAM: iam:PermissionsBoundary).
func iamRows() []Row {
	return []Row{
		{Type: "aws:iam/role:Role", Terraform: "aws_iam_role", Deployer: Program,
			Source: tf("internal/service/iam/role.go") + "; AWS IAM user guide, tagging IAM resources (iam:TagRole to tag on create)",
			Calls: []Call{
				{Action: "iam:CreateRole", Phases: Create, On: Self, Context: []Context{Boundary, RequestTags}},
				{Action: "iam:TagRole", Phases: Create | Update, On: Self, Context: []Context{RequestTags}},
				{Action: "iam:GetRole", Phases: CRUD, On: Self},
				{Action: "iam:ListRolePolicies", Phases: Read | Delete, On: Self},
				{Action: "iam:ListAttachedRolePolicies", Phases: Read | Delete, On: Self},
				{Action: "iam:UpdateRole", Phases: Update, On: Self, Context: []Context{Boundary}, Note: "description or maxSessionDuration change"},
				{Action: "iam:UpdateAssumeRolePolicy", Phases: Update, On: Self, Context: []Context{Boundary}, Note: "assumeRolePolicy changes"},
				{Action: "iam:PutRolePermissionsBoundary", Phases: Update, On: Self, Context: []Context{Boundary}, Note: "permissionsBoundary changes"},
				{Action: "iam:UntagRole", Phases: Update, On: Self},
				{Action: "iam:ListInstanceProfilesForRole", Phases: Delete, On: Self},
				{Action: "iam:DeleteRole", Phases: Delete, On: Self, Context: []Context{Boundary}},
			}},
		{Type: "aws:iam/rolePolicy:RolePolicy", Terraform: "aws_iam_role_policy", Deployer: Program,
			Source: tf("internal/service/iam/role_policy.go"),
			Calls: []Call{
				{Action: "iam:PutRolePolicy", Phases: Create | Update, On: Role, Field: "role", Context: []Context{Boundary}},
				{Action: "iam:GetRolePolicy", Phases: Create | Read | Update, On: Role, Field: "role"},
				{Action: "iam:DeleteRolePolicy", Phases: Delete, On: Role, Field: "role", Context: []Context{Boundary}},
			}},
		{Type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", Terraform: "aws_iam_role_policy_attachment", Deployer: Program,
			Source: tf("internal/service/iam/role_policy_attachment.go"),
			Calls: []Call{
				{Action: "iam:AttachRolePolicy", Phases: Create, On: Role, Field: "role", Context: []Context{Boundary, PolicyARN}},
				{Action: "iam:ListAttachedRolePolicies", Phases: Create | Read, On: Role, Field: "role"},
				{Action: "iam:DetachRolePolicy", Phases: Delete, On: Role, Field: "role", Context: []Context{Boundary, PolicyARN}},
			}},
		{Type: "aws:iam/policy:Policy", Terraform: "aws_iam_policy", Deployer: Program,
			Source: tf("internal/service/iam/policy.go") + "; AWS IAM user guide, tagging IAM resources (iam:TagPolicy to tag on create)",
			Calls: []Call{
				{Action: "iam:CreatePolicy", Phases: Create, On: Self, Context: []Context{RequestTags}},
				{Action: "iam:TagPolicy", Phases: Create | Update, On: Self, Context: []Context{RequestTags}},
				{Action: "iam:GetPolicy", Phases: CRUD, On: Self},
				{Action: "iam:GetPolicyVersion", Phases: Create | Read | Update, On: Self},
				{Action: "iam:ListPolicyTags", Phases: Create | Read | Update, On: Self},
				{Action: "iam:CreatePolicyVersion", Phases: Update, On: Self, Note: "the document changes"},
				{Action: "iam:ListPolicyVersions", Phases: Update | Delete, On: Self},
				{Action: "iam:DeletePolicyVersion", Phases: Update | Delete, On: Self, Note: "update prunes the oldest of five versions"},
				{Action: "iam:UntagPolicy", Phases: Update, On: Self},
				{Action: "iam:DeletePolicy", Phases: Delete, On: Self},
			}},
	}
}

// lambdaRows: the rotation functions and their invoke permissions.
func lambdaRows() []Row {
	return []Row{
		{Type: "aws:lambda/function:Function", Terraform: "aws_lambda_function", Deployer: Program,
			Source: tf("internal/service/lambda/function.go") + "; AWS Lambda developer guide: execution role (iam:PassRole), VPC access (ec2:Describe* for the user), environment variable encryption with a customer managed key, tagging (lambda:TagResource to tag on create)",
			Calls: []Call{
				{Action: "lambda:CreateFunction", Phases: Create, On: Self, Context: []Context{RequestTags}},
				{Action: "lambda:TagResource", Phases: Create | Update, On: Self, Context: []Context{RequestTags}},
				{Action: "iam:PassRole", Phases: Create | Update, On: Role, Field: "role", Context: []Context{PassedToLambda}},
				{Action: "kms:Encrypt", Phases: Create | Update, On: Key, Field: "kmsKeyArn", Context: []Context{ViaLambda}, Note: "environment under the platform key"},
				{Action: "kms:CreateGrant", Phases: Create | Update, On: Key, Field: "kmsKeyArn", Context: []Context{ViaLambda}},
				{Action: "ec2:DescribeSecurityGroups", Phases: Create | Update, On: Any, Note: "functions in a VPC"},
				{Action: "ec2:DescribeSubnets", Phases: Create | Update, On: Any, Note: "functions in a VPC"},
				{Action: "ec2:DescribeVpcs", Phases: Create | Update, On: Any, Note: "functions in a VPC"},
				{Action: "lambda:GetFunction", Phases: CRUD, On: Self},
				{Action: "lambda:GetFunctionConfiguration", Phases: Create | Update, On: Self, Note: "waits for the function to be active"},
				{Action: "lambda:GetFunctionCodeSigningConfig", Phases: Create | Read | Update, On: Self},
				{Action: "lambda:GetRuntimeManagementConfig", Phases: Create | Read | Update, On: Self},
				{Action: "lambda:ListVersionsByFunction", Phases: Create | Read | Update, On: Self},
				{Action: "lambda:PutFunctionConcurrency", Phases: Create | Update, On: Self},
				{Action: "lambda:UpdateFunctionCode", Phases: Update, On: Self},
				{Action: "lambda:UpdateFunctionConfiguration", Phases: Update, On: Self},
				{Action: "lambda:DeleteFunctionConcurrency", Phases: Update, On: Self, Note: "reserved concurrency removed"},
				{Action: "lambda:UntagResource", Phases: Update, On: Self},
				{Action: "lambda:DeleteFunction", Phases: Delete, On: Self},
			}},
		{Type: "aws:lambda/permission:Permission", Terraform: "aws_lambda_permission", Deployer: Program,
			Source: tf("internal/service/lambda/permission.go"),
			Calls: []Call{
				{Action: "lambda:AddPermission", Phases: Create, On: Function, Field: "function", Context: []Context{LambdaPrincipal}},
				{Action: "lambda:GetPolicy", Phases: Create | Read, On: Function, Field: "function"},
				{Action: "lambda:RemovePermission", Phases: Delete, On: Function, Field: "function"},
			}},
	}
}
