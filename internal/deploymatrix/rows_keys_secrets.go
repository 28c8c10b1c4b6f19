package deploymatrix

// tf is where the Terraform AWS provider, which pulumi-aws v6 wraps, keeps a
// resource's create, read, update and delete functions.
func tf(path string) string { return "hashicorp/terraform-provider-aws " + path }

// keyRows: the stack's KMS keys and aliases. The calls on an existing key are
// authorised by its key policy, which names the deploy role among its
// administrators (keyAdminRoleArns); the deploy role's own policy adds only
// creation and the aliases.
func keyRows() []Row {
	return []Row{
		{Type: "aws:kms/key:Key", Terraform: "aws_kms_key", Deployer: Program,
			Source: tf("internal/service/kms/key.go") + "; AWS KMS API reference, CreateKey (kms:TagResource to use Tags)",
			Calls: []Call{
				{Action: "kms:CreateKey", Phases: Create, On: Any, Context: []Context{RequestTags, LockoutCheck}},
				{Action: "kms:TagResource", Phases: Create, On: Self, Context: []Context{RequestTags}, Note: "tags given to CreateKey"},
				{Action: "kms:DescribeKey", Phases: CRUD, On: Self},
				{Action: "kms:GetKeyPolicy", Phases: Create | Read | Update, On: Self},
				{Action: "kms:GetKeyRotationStatus", Phases: Create | Read | Update, On: Self},
				{Action: "kms:ListResourceTags", Phases: Create | Read | Update, On: Self},
				{Action: "kms:EnableKeyRotation", Phases: Create | Update, On: Self},
				{Action: "kms:PutKeyPolicy", Phases: Update, On: Self, Context: []Context{LockoutCheck}},
				{Action: "kms:UpdateKeyDescription", Phases: Update, On: Self},
				{Action: "kms:TagResource", Phases: Update, On: Self, Context: []Context{RequestTags}},
				{Action: "kms:UntagResource", Phases: Update, On: Self},
				{Action: "kms:DisableKey", Phases: Update, On: Self, Note: "only when isEnabled turns false"},
				{Action: "kms:ScheduleKeyDeletion", Phases: Delete, On: Self},
			}},
		{Type: "aws:kms/alias:Alias", Terraform: "aws_kms_alias", Deployer: Program,
			Source: tf("internal/service/kms/alias.go") + "; AWS KMS developer guide, controlling access to aliases (the alias and the key are both authorised)",
			Calls: []Call{
				{Action: "kms:CreateAlias", Phases: Create, On: Self},
				{Action: "kms:CreateAlias", Phases: Create, On: Key, Field: "targetKeyId"},
				{Action: "kms:ListAliases", Phases: Create | Read | Update, On: Any},
				{Action: "kms:UpdateAlias", Phases: Update, On: Self},
				{Action: "kms:UpdateAlias", Phases: Update, On: Key, Field: "targetKeyId"},
				{Action: "kms:DeleteAlias", Phases: Delete, On: Self},
				{Action: "kms:DeleteAlias", Phases: Delete, On: Key, Field: "targetKeyId"},
			}},
	}
}

// secretRows: the catalog, its first values, resource policies and rotations.
func secretRows() []Row {
	return []Row{
		{Type: "aws:secretsmanager/secret:Secret", Terraform: "aws_secretsmanager_secret", Deployer: Program,
			Source: tf("internal/service/secretsmanager/secret.go") + "; aws-sdk-go-v2 service/secretsmanager api_op_CreateSecret.go (tags need secretsmanager:TagResource)",
			Calls: []Call{
				{Action: "secretsmanager:CreateSecret", Phases: Create, On: Self, Context: []Context{RequestTags}},
				{Action: "secretsmanager:TagResource", Phases: Create | Update, On: Self, Context: []Context{RequestTags}},
				{Action: "secretsmanager:DescribeSecret", Phases: CRUD, On: Self},
				{Action: "secretsmanager:GetResourcePolicy", Phases: Create | Read | Update, On: Self},
				{Action: "secretsmanager:UpdateSecret", Phases: Update, On: Self, Note: "description or key changes"},
				{Action: "secretsmanager:UntagResource", Phases: Update, On: Self},
				// Replicas: CreateSecret with AddReplicaRegions needs
				// ReplicateSecretToRegions too (api_op_CreateSecret.go); an
				// update adds regions with it and drops them with
				// RemoveRegionsFromReplication, which delete also calls first.
				{Action: "secretsmanager:ReplicateSecretToRegions", Phases: Create | Update, On: Self, Note: "replicas set or added"},
				{Action: "secretsmanager:RemoveRegionsFromReplication", Phases: Update | Delete, On: Self, Note: "a replica region dropped; delete removes the replicas first"},
				// Replicating the versions a secret has decrypts them with its
				// key and encrypts them with each replica region's key, with
				// the caller's rights (API reference, ReplicateSecretToRegions).
				{Action: "kms:Decrypt", Phases: Update, On: KeyOfReplicatedSelf, Field: "replicas", Context: []Context{ViaSecretsManager, SecretContext}, Note: "a replica added to a secret with versions"},
				{Action: "kms:GenerateDataKey", Phases: Create | Update, On: ReplicaKeys, Field: "replicas", Context: []Context{ViaSecretsManager, SecretContext}},
				{Action: "kms:Encrypt", Phases: Create | Update, On: ReplicaKeys, Field: "replicas", Context: []Context{ViaSecretsManager, SecretContext}},
				{Action: "secretsmanager:DeleteSecret", Phases: Delete, On: Self},
			}},
		{Type: "aws:secretsmanager/secretVersion:SecretVersion", Terraform: "aws_secretsmanager_secret_version", Deployer: Program,
			Source: tf("internal/service/secretsmanager/secret_version.go") + "; AWS Secrets Manager user guide, authentication and access control (kms:GenerateDataKey and kms:Decrypt through Secrets Manager)",
			Calls: []Call{
				{Action: "secretsmanager:PutSecretValue", Phases: Create, On: Secret, Field: "secretId"},
				{Action: "kms:GenerateDataKey", Phases: Create, On: KeyOfSecret, Field: "secretId", Context: []Context{ViaSecretsManager, SecretContext}},
				// The new version is replicated with the caller's rights.
				{Action: "kms:GenerateDataKey", Phases: Create, On: ReplicaKeysOfSecret, Field: "secretId", Context: []Context{ViaSecretsManager, SecretContext}, Note: "replicated secrets"},
				{Action: "kms:Encrypt", Phases: Create, On: ReplicaKeysOfSecret, Field: "secretId", Context: []Context{ViaSecretsManager, SecretContext}, Note: "replicated secrets"},
				{Action: "secretsmanager:GetSecretValue", Phases: Create | Read | Update, On: Secret, Field: "secretId", Note: "the read fetches the version by id"},
				{Action: "kms:Decrypt", Phases: Create | Read | Update, On: KeyOfSecret, Field: "secretId", Context: []Context{ViaSecretsManager, SecretContext}},
				{Action: "secretsmanager:DescribeSecret", Phases: Read | Delete, On: Secret, Field: "secretId"},
				{Action: "secretsmanager:UpdateSecretVersionStage", Phases: Update | Delete, On: Secret, Field: "secretId", Note: "versionStages change; delete removes the version's stages"},
			}},
		{Type: "aws:secretsmanager/secretPolicy:SecretPolicy", Terraform: "aws_secretsmanager_secret_policy", Deployer: Program,
			Source: tf("internal/service/secretsmanager/secret_policy.go"),
			Calls: []Call{
				{Action: "secretsmanager:PutResourcePolicy", Phases: Create | Update, On: Secret, Field: "secretArn", Context: []Context{BlockPublicPolicy}},
				{Action: "secretsmanager:GetResourcePolicy", Phases: Create | Read | Update, On: Secret, Field: "secretArn"},
				{Action: "secretsmanager:DeleteResourcePolicy", Phases: Delete, On: Secret, Field: "secretArn"},
			}},
		{Type: "aws:secretsmanager/secretRotation:SecretRotation", Terraform: "aws_secretsmanager_secret_rotation", Deployer: Program,
			Source: tf("internal/service/secretsmanager/secret_rotation.go") + "; aws-sdk-go-v2 service/secretsmanager api_op_RotateSecret.go (lambda:InvokeFunction on the rotation function)",
			Calls: []Call{
				{Action: "secretsmanager:RotateSecret", Phases: Create | Update, On: Secret, Field: "secretId"},
				{Action: "lambda:InvokeFunction", Phases: Create | Update, On: Function, Field: "rotationLambdaArn"},
				{Action: "secretsmanager:DescribeSecret", Phases: Create | Read | Update, On: Secret, Field: "secretId"},
				{Action: "secretsmanager:CancelRotateSecret", Phases: Delete, On: Secret, Field: "secretId"},
			}},
	}
}
