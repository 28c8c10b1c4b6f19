package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/acme/secrets-platform/iam"
)

// settings is the bootstrap's validated config.
type settings struct {
	Repository        string // owner/name
	GitHubEnvironment string
	AppEnvironment    string
	// AppStack is the main stack deployed into the account: its resources
	// carry PulumiStack=AppStack, which scopes the deploy role's tag
	// conditions. Default AppEnvironment.
	AppStack         string
	Backend          string // s3 or pulumi-cloud
	BucketName       string
	KeyAdminRoleARNs []string
	CreateOIDC       bool
	OIDCProviderARN  string
	ConsumerRoleARNs []string
	// ReplicaRegions are the regions the main stack replicates secrets to
	// (its replicaRegions and every secret's own): the deploy role makes the
	// keys and forwarders there, and the boundary lets roles read and
	// re-encrypt the replicas there.
	ReplicaRegions []string
}

var (
	repoPattern    = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	envPattern     = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	ghEnvPattern   = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	bucketPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	roleARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`)
	stackPattern   = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
)

// loadConfig reads and checks every key once; all problems are reported
// together, as the main program does.
func loadConfig(ctx *pulumi.Context) (settings, error) {
	c := config.New(ctx, "")
	s := settings{
		Repository:        c.Get("githubRepository"),
		GitHubEnvironment: c.Get("githubEnvironment"),
		AppEnvironment:    c.Get("appEnvironment"),
		AppStack:          c.Get("appStack"),
		Backend:           c.Get("stateBackend"),
		BucketName:        c.Get("stateBucketName"),
		CreateOIDC:        true,
		OIDCProviderARN:   c.Get("oidcProviderArn"),
	}
	if s.Backend == "" {
		s.Backend = "s3"
	}
	if s.AppStack == "" {
		s.AppStack = s.AppEnvironment
	}
	if v, err := c.TryBool("createOidcProvider"); err == nil {
		s.CreateOIDC = v
	}
	var problems []string
	if err := c.TryObject("keyAdminRoleArns", &s.KeyAdminRoleARNs); err != nil {
		problems = append(problems, "keyAdminRoleArns: a list of role ARNs is required")
	}
	_ = c.TryObject("consumerDeployRoleArns", &s.ConsumerRoleARNs)
	_ = c.TryObject("replicaRegions", &s.ReplicaRegions)
	check := func(ok bool, format string, args ...any) {
		if !ok {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	// Exact values only: a wildcard here would let other repositories or
	// branches assume the roles.
	check(repoPattern.MatchString(s.Repository), "githubRepository = %q: owner/name, no wildcards", s.Repository)
	check(ghEnvPattern.MatchString(s.GitHubEnvironment), "githubEnvironment = %q: a GitHub environment name, no wildcards", s.GitHubEnvironment)
	check(envPattern.MatchString(s.AppEnvironment), "appEnvironment = %q: lowercase letters, digits and dashes", s.AppEnvironment)
	// The deploy role manages roles named appEnvironment-*; the workflows'
	// own roles are secrets-platform-*, so the two prefixes must not meet.
	check(!strings.HasPrefix(previewRoleName, iam.RolePrefix(s.AppEnvironment)) && !strings.HasPrefix(breakGlassRoleName, iam.RolePrefix(s.AppEnvironment)),
		"appEnvironment = %q: the roles it may manage (%s*) would include the bootstrap's own roles (secrets-platform-*)", s.AppEnvironment, iam.RolePrefix(s.AppEnvironment))
	check(stackPattern.MatchString(s.AppStack), "appStack = %q: a Pulumi stack name", s.AppStack)
	check(s.Backend == "s3" || s.Backend == "pulumi-cloud", "stateBackend = %q: s3 or pulumi-cloud", s.Backend)
	check(s.Backend != "s3" || bucketPattern.MatchString(s.BucketName), "stateBucketName = %q: a bucket name is required with stateBackend s3", s.BucketName)
	check(len(s.KeyAdminRoleARNs) > 0, "keyAdminRoleArns: at least one role")
	for i, a := range s.KeyAdminRoleARNs {
		check(roleARNPattern.MatchString(a), "keyAdminRoleArns[%d] = %q: a role ARN", i, a)
	}
	for i, a := range s.ConsumerRoleARNs {
		check(roleARNPattern.MatchString(a), "consumerDeployRoleArns[%d] = %q: a role ARN", i, a)
	}
	for i, r := range s.ReplicaRegions {
		check(regionPattern.MatchString(r) && slices.Index(s.ReplicaRegions, r) == i, "replicaRegions[%d] = %q: an AWS region, each once (the main stack's replica regions)", i, r)
	}
	check(s.CreateOIDC || strings.HasPrefix(s.OIDCProviderARN, "arn:"), "oidcProviderArn = %q: required when createOidcProvider is false", s.OIDCProviderARN)
	if len(problems) > 0 {
		return settings{}, fmt.Errorf("bootstrap stack %q has %d config problem(s):\n  - %s", ctx.Stack(), len(problems), strings.Join(problems, "\n  - "))
	}
	return s, nil
}
