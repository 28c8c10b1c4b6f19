package deploymatrix

// Invoke is a data-source call the program makes while it runs, in a preview
// as in a deploy.
type Invoke struct {
	// Token is the Pulumi invoke token.
	Token string
	// Actions are the IAM actions it needs; none when the provider answers
	// from its own configuration.
	Actions []string
	// Source is where that is read from.
	Source string
}

// Invokes are the data sources the program and the bootstrap call.
func Invokes() []Invoke {
	return []Invoke{
		{Token: "aws:index/getCallerIdentity:getCallerIdentity", Actions: []string{"sts:GetCallerIdentity"},
			Source: tf("internal/service/sts/caller_identity_data_source.go") + "; AWS STS API reference: GetCallerIdentity needs no permission"},
		{Token: "aws:index/getPartition:getPartition",
			Source: tf("internal/service/meta/partition_data_source.go") + " (from the provider's endpoint data)"},
		{Token: "aws:index/getRegion:getRegion",
			Source: tf("internal/service/meta/region_data_source.go") + " (from the provider's configuration)"},
		{Token: "aws:index/getAvailabilityZones:getAvailabilityZones", Actions: []string{"ec2:DescribeAvailabilityZones"},
			Source: tf("internal/service/ec2/ec2_availability_zones_data_source.go")},
		// The lookups of what a stack adopts instead of creating (an existing
		// VPC, its endpoint, an existing database).
		{Token: "aws:ec2/getVpc:getVpc", Actions: []string{"ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"},
			Source: tf("internal/service/ec2/vpc_data_source.go")},
		{Token: "aws:ec2/getVpcEndpoint:getVpcEndpoint", Actions: []string{"ec2:DescribeVpcEndpoints"},
			Source: tf("internal/service/ec2/vpc_endpoint_data_source.go")},
		{Token: "aws:rds/getInstance:getInstance", Actions: []string{"rds:DescribeDBInstances", "rds:ListTagsForResource"},
			Source: tf("internal/service/rds/instance_data_source.go")},
	}
}

// plumbingRows: providers and the resources that never reach AWS.
func plumbingRows() []Row {
	random := func(typ, res string) Row {
		return Row{Type: typ, Terraform: res, Deployer: NoAPI, Source: "pulumi/pulumi-random (computed by the provider, no AWS call)"}
	}
	return []Row{
		{Type: "pulumi:providers:aws", Terraform: "provider \"aws\"", Deployer: Program,
			Source: tf("internal/conns/config.go") + " and hashicorp/aws-sdk-go-base (configure: assume the role when assumeRole is set, then GetCallerIdentity for allowedAccountIds)",
			Calls: []Call{
				{Action: "sts:AssumeRole", Phases: CRUD, On: AssumedRole, Context: []Context{SessionName}, Note: "only a provider with assumeRole (the consumer side)"},
				{Action: "sts:GetCallerIdentity", Phases: CRUD, On: Any},
			}},
		random("random:index/randomInteger:RandomInteger", "random_integer"),
		random("random:index/randomPassword:RandomPassword", "random_password"),
		random("random:index/randomBytes:RandomBytes", "random_bytes"),
	}
}

// bootstrapRows: what only bootstrap/ registers, run by an administrator.
func bootstrapRows() []Row {
	s3 := func(typ, res, path string, calls ...Call) Row {
		return Row{Type: typ, Terraform: res, Deployer: Bootstrap, Source: tf(path), Calls: calls}
	}
	// Every bucket call, on the bucket or one of its configurations, is
	// authorised on the bucket.
	bucket := func(action string, phases Phase) Call { return Call{Action: action, Phases: phases, On: Self} }
	return []Row{
		s3("aws:s3/bucketV2:BucketV2", "aws_s3_bucket", "internal/service/s3/bucket.go",
			bucket("s3:CreateBucket", Create), bucket("s3:PutBucketTagging", Create|Update), bucket("s3:ListBucket", CRUD),
			bucket("s3:GetBucketTagging", Create|Read|Update), bucket("s3:GetBucketPolicy", Read), bucket("s3:GetBucketAcl", Read),
			bucket("s3:GetBucketCORS", Read), bucket("s3:GetBucketWebsite", Read), bucket("s3:GetBucketVersioning", Read),
			bucket("s3:GetAccelerateConfiguration", Read), bucket("s3:GetBucketRequestPayment", Read), bucket("s3:GetBucketLogging", Read),
			bucket("s3:GetLifecycleConfiguration", Read), bucket("s3:GetReplicationConfiguration", Read), bucket("s3:GetEncryptionConfiguration", Read),
			bucket("s3:GetBucketObjectLockConfiguration", Read), bucket("s3:DeleteBucket", Delete)),
		s3("aws:s3/bucketVersioningV2:BucketVersioningV2", "aws_s3_bucket_versioning", "internal/service/s3/bucket_versioning.go",
			bucket("s3:PutBucketVersioning", Create|Update|Delete), bucket("s3:GetBucketVersioning", Create|Read|Update)),
		s3("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "aws_s3_bucket_server_side_encryption_configuration",
			"internal/service/s3/bucket_server_side_encryption_configuration.go",
			bucket("s3:PutEncryptionConfiguration", Create|Update|Delete), bucket("s3:GetEncryptionConfiguration", Create|Read|Update)),
		s3("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws_s3_bucket_public_access_block", "internal/service/s3/bucket_public_access_block.go",
			// DeletePublicAccessBlock is authorised as s3:PutBucketPublicAccessBlock.
			bucket("s3:PutBucketPublicAccessBlock", CRUD&^Read), bucket("s3:GetBucketPublicAccessBlock", CRUD)),
		s3("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws_s3_bucket_ownership_controls", "internal/service/s3/bucket_ownership_controls.go",
			// DeleteBucketOwnershipControls is authorised as s3:PutBucketOwnershipControls.
			bucket("s3:PutBucketOwnershipControls", CRUD&^Read), bucket("s3:GetBucketOwnershipControls", CRUD)),
		s3("aws:s3/bucketPolicy:BucketPolicy", "aws_s3_bucket_policy", "internal/service/s3/bucket_policy.go",
			bucket("s3:PutBucketPolicy", Create|Update), bucket("s3:GetBucketPolicy", Create|Read|Update), bucket("s3:DeleteBucketPolicy", Delete)),
		{Type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", Terraform: "aws_iam_openid_connect_provider", Deployer: Bootstrap,
			Source: tf("internal/service/iam/openid_connect_provider.go"),
			Calls: []Call{
				{Action: "iam:CreateOpenIDConnectProvider", Phases: Create, On: Self},
				{Action: "iam:TagOpenIDConnectProvider", Phases: Create | Update, On: Self},
				{Action: "iam:GetOpenIDConnectProvider", Phases: CRUD, On: Self},
				{Action: "iam:AddClientIDToOpenIDConnectProvider", Phases: Update, On: Self},
				{Action: "iam:RemoveClientIDFromOpenIDConnectProvider", Phases: Update, On: Self},
				{Action: "iam:UpdateOpenIDConnectProviderThumbprint", Phases: Update, On: Self},
				{Action: "iam:UntagOpenIDConnectProvider", Phases: Update, On: Self},
				{Action: "iam:DeleteOpenIDConnectProvider", Phases: Delete, On: Self},
			}},
	}
}
