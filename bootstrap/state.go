package main

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// State is the secrets-provider key and, with the s3 backend, the state bucket.
type State struct {
	pulumi.ResourceState

	// KeyArn is the awskms:// secrets-provider key.
	KeyArn pulumi.StringOutput `pulumi:"keyArn"`
	// BucketArn is the state bucket ("" with Pulumi Cloud).
	BucketArn pulumi.StringOutput `pulumi:"bucketArn"`
	// BackendURL is what `pulumi login` takes.
	BackendURL pulumi.StringOutput `pulumi:"backendUrl"`
	// SecretsProvider is what `pulumi stack init --secrets-provider` takes.
	SecretsProvider pulumi.StringOutput `pulumi:"secretsProvider"`
}

// secretsProviderAlias names the key in the awskms:// URL.
const secretsProviderAlias = "alias/secrets-platform/pulumi-state"

// newState registers the key and, for the s3 backend, the bucket. Both are
// protected: losing either loses every stack's state or its secrets.
func newState(ctx *pulumi.Context, name string, s settings, a iam.Account, tags map[string]string, opts ...pulumi.ResourceOption) (*State, error) {
	st := &State{}
	if err := ctx.RegisterComponentResource("secrets-platform:bootstrap:State", name, st, opts...); err != nil {
		return nil, fmt.Errorf("register state: %w", err)
	}
	policy, err := secretsProviderKeyPolicy(a, s.KeyAdminRoleARNs).JSON()
	if err != nil {
		return nil, fmt.Errorf("secrets provider key policy: %w", err)
	}
	key, err := kms.NewKey(ctx, name+"-secrets-provider-key", &kms.KeyArgs{
		Description:                    pulumi.String("Pulumi secrets provider of secrets-platform stacks (awskms://)"),
		EnableKeyRotation:              pulumi.Bool(true),
		IsEnabled:                      pulumi.Bool(true),
		DeletionWindowInDays:           pulumi.Int(30),
		BypassPolicyLockoutSafetyCheck: pulumi.Bool(false),
		Policy:                         pulumi.String(policy),
		Tags:                           pulumi.ToStringMap(tags),
	}, pulumi.Parent(st), pulumi.Protect(true))
	if err != nil {
		return nil, fmt.Errorf("create secrets provider key: %w", err)
	}
	if _, err := kms.NewAlias(ctx, name+"-secrets-provider-alias", &kms.AliasArgs{
		Name: pulumi.String(secretsProviderAlias), TargetKeyId: key.KeyId,
	}, pulumi.Parent(st)); err != nil {
		return nil, fmt.Errorf("create secrets provider alias: %w", err)
	}
	st.KeyArn = key.Arn
	st.SecretsProvider = pulumi.Sprintf("awskms://%s?region=%s", secretsProviderAlias, a.Region)
	st.BucketArn = pulumi.String("").ToStringOutput()
	st.BackendURL = pulumi.String("https://api.pulumi.com").ToStringOutput()
	if s.Backend == "s3" {
		bucket, err := newStateBucket(ctx, name, s.BucketName, stateBucketARN(a, s), key, tags, st)
		if err != nil {
			return nil, err
		}
		st.BucketArn = bucket.Arn
		st.BackendURL = pulumi.Sprintf("s3://%s?region=%s", bucket.Bucket, a.Region)
	}
	if err := ctx.RegisterResourceOutputs(st, pulumi.Map{
		"keyArn": st.KeyArn, "bucketArn": st.BucketArn, "backendUrl": st.BackendURL, "secretsProvider": st.SecretsProvider,
	}); err != nil {
		return nil, fmt.Errorf("register state outputs: %w", err)
	}
	return st, nil
}

// newStateBucket: versioned (a bad write of a checkpoint is recoverable),
// encrypted with the key, never public, bucket-owner objects only, TLS only.
func newStateBucket(ctx *pulumi.Context, name, bucketName, bucketARN string, key *kms.Key, tags map[string]string, parent pulumi.Resource) (*s3.BucketV2, error) {
	bucket, err := s3.NewBucketV2(ctx, name+"-bucket", &s3.BucketV2Args{
		Bucket:       pulumi.String(bucketName),
		ForceDestroy: pulumi.Bool(false),
		Tags:         pulumi.ToStringMap(tags),
	}, pulumi.Parent(parent), pulumi.Protect(true))
	if err != nil {
		return nil, fmt.Errorf("create state bucket: %w", err)
	}
	if _, err := s3.NewBucketVersioningV2(ctx, name+"-bucket-versioning", &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, pulumi.Parent(parent)); err != nil {
		return nil, fmt.Errorf("version state bucket: %w", err)
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-bucket-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: key.Arn,
			},
			// One data key per bucket, not per object: fewer KMS calls.
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, pulumi.Parent(parent)); err != nil {
		return nil, fmt.Errorf("encrypt state bucket: %w", err)
	}
	if _, err := s3.NewBucketPublicAccessBlock(ctx, name+"-bucket-public-access", &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket.ID(), BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, pulumi.Parent(parent)); err != nil {
		return nil, fmt.Errorf("block public access to state bucket: %w", err)
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name+"-bucket-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(), Rule: s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, pulumi.Parent(parent)); err != nil {
		return nil, fmt.Errorf("disable ACLs on state bucket: %w", err)
	}
	// The ARN is known from the name, as the roles' policies know it.
	policy, err := bucketPolicy(bucketARN).JSON()
	if err != nil {
		return nil, fmt.Errorf("state bucket policy: %w", err)
	}
	if _, err := s3.NewBucketPolicy(ctx, name+"-bucket-policy", &s3.BucketPolicyArgs{Bucket: bucket.ID(), Policy: pulumi.String(policy)}, pulumi.Parent(parent)); err != nil {
		return nil, fmt.Errorf("state bucket policy: %w", err)
	}
	return bucket, nil
}

// stateBucketARN is the state bucket's ARN, known from config ("" with
// Pulumi Cloud), so the roles' policies need only the key's ARN to wait for.
func stateBucketARN(a iam.Account, s settings) string {
	if s.Backend != "s3" {
		return ""
	}
	return "arn:" + a.Partition + ":s3:::" + s.BucketName
}
