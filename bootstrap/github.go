package main

import (
	"fmt"

	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// Role names the workflows assume; the main stacks list the deploy role
// among their keyAdminRoleArns.
const (
	previewRoleName = "secrets-platform-preview"
	deployRoleName  = "secrets-platform-deploy"
)

// GitHubAccess is the OIDC provider and the two roles the workflows assume.
type GitHubAccess struct {
	pulumi.ResourceState

	// ProviderArn is the token.actions.githubusercontent.com provider.
	ProviderArn pulumi.StringOutput `pulumi:"providerArn"`
	// PreviewRoleArn is assumed by pull-request runs: read-only.
	PreviewRoleArn pulumi.StringOutput `pulumi:"previewRoleArn"`
	// DeployRoleArn is assumed by deploy jobs of one GitHub environment.
	DeployRoleArn pulumi.StringOutput `pulumi:"deployRoleArn"`
}

func newGitHubAccess(ctx *pulumi.Context, name string, s settings, a iam.Account, st *State, tags map[string]string, opts ...pulumi.ResourceOption) (*GitHubAccess, error) {
	g := &GitHubAccess{}
	if err := ctx.RegisterComponentResource("secrets-platform:bootstrap:GitHubAccess", name, g, opts...); err != nil {
		return nil, fmt.Errorf("register github access: %w", err)
	}
	providerArn := pulumi.String(s.OIDCProviderARN).ToStringOutput()
	if s.CreateOIDC {
		// AWS trusts GitHub's issuer through its own CA store, so no
		// thumbprint is pinned (a pinned one breaks when GitHub rotates).
		p, err := awsiam.NewOpenIdConnectProvider(ctx, name+"-oidc", &awsiam.OpenIdConnectProviderArgs{
			Url:           pulumi.String("https://" + oidcHost),
			ClientIdLists: pulumi.ToStringArray([]string{oidcAudience}),
			Tags:          pulumi.ToStringMap(tags),
		}, pulumi.Parent(g))
		if err != nil {
			return nil, fmt.Errorf("create github oidc provider: %w", err)
		}
		providerArn = p.Arn
	}
	mkRole := func(suffix, roleName string, subjects []string, desc string) (*awsiam.Role, error) {
		trust := providerArn.ApplyT(func(arn string) (string, error) { return trustPolicy(arn, subjects...).JSON() }).(pulumi.StringOutput)
		r, err := awsiam.NewRole(ctx, name+"-"+suffix, &awsiam.RoleArgs{
			Name: pulumi.String(roleName), Description: pulumi.String(desc),
			AssumeRolePolicy: trust, MaxSessionDuration: pulumi.Int(3600), Tags: pulumi.ToStringMap(tags),
		}, pulumi.Parent(g))
		if err != nil {
			return nil, fmt.Errorf("create %s role: %w", suffix, err)
		}
		return r, nil
	}
	preview, err := mkRole("preview", previewRoleName, previewSubjects(s.Repository), "pulumi preview of "+s.Repository+" (pull requests, main): the reads of a preview, nothing else")
	if err != nil {
		return nil, err
	}
	// An allow-list built from the deployability matrix, not AWS's
	// ReadOnlyAccess (which reads every object, parameter, function and log
	// of the account): a pull request runs with this role unreviewed.
	previewDoc := st.KeyArn.ApplyT(func(keyARN string) (string, error) {
		doc, err := previewPolicy(a, s, stateBucketARN(a, s), keyARN)
		if err != nil {
			return "", err
		}
		return doc.JSON()
	}).(pulumi.StringOutput)
	if _, err := awsiam.NewRolePolicy(ctx, name+"-preview-reads", &awsiam.RolePolicyArgs{
		Role: preview.Name, Name: pulumi.String("preview-reads-and-no-secret-values"), Policy: previewDoc,
	}, pulumi.Parent(g)); err != nil {
		return nil, fmt.Errorf("preview role policy: %w", err)
	}
	deploy, err := mkRole("deploy", deployRoleName, []string{deploySubject(s.Repository, s.GitHubEnvironment)},
		fmt.Sprintf("pulumi up of %s from %s, GitHub environment %s (main only)", s.AppEnvironment, s.Repository, s.GitHubEnvironment))
	if err != nil {
		return nil, err
	}
	if err := attachDeployPolicies(ctx, name, s, a, st, deploy, tags, g); err != nil {
		return nil, err
	}
	g.ProviderArn, g.PreviewRoleArn, g.DeployRoleArn = providerArn, preview.Arn, deploy.Arn
	if err := ctx.RegisterResourceOutputs(g, pulumi.Map{
		"providerArn": providerArn, "previewRoleArn": preview.Arn, "deployRoleArn": deploy.Arn,
	}); err != nil {
		return nil, fmt.Errorf("register github access outputs: %w", err)
	}
	return g, nil
}
