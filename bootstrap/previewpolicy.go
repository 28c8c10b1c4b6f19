package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/deploymatrix"
)

// previewUnreadable are read calls of the deployability matrix the preview
// role never gets, whatever a refresh would need: a secret's value (and the
// key use that decrypts it). A refresh of a secret version is the deploy
// role's (docs/bootstrap.md).
var previewUnreadable = []string{"secretsmanager:GetSecretValue", "kms:Decrypt"}

// previewScopes are where the preview role may read, per service: the
// environment's names where a service names resources, the stack's groups
// where RDS names them, and "*" where the service has no resource-level
// permission for the read. A service of the matrix without a scope here
// makes previewPolicy fail, so a new service is placed on purpose.
func previewScopes(sc scope) map[string]iam.Strings {
	a, p := sc.a, sc.prefix()
	return map[string]iam.Strings{
		"secretsmanager": {a.ARN("secretsmanager", "secret:/"+sc.env+"/*")},
		"kms":            sc.everywhere("kms", "key/*"),
		"iam":            {sc.roles(), a.GlobalARN("iam", "policy"+iam.StackPolicyPath(sc.env)+"*")},
		"lambda":         {sc.functions()},
		"logs":           {a.ARN("logs", "log-group:/aws/lambda/"+p+"*")},
		"sns":            {a.ARN("sns", p+"*")},
		"sqs":            {a.ARN("sqs", p+"*")},
		"events":         sc.everywhere("events", "rule/"+p+"*"),
		"cloudwatch":     {a.ARN("cloudwatch", "alarm:"+p+"*")},
		"config":         {a.ARN("config", "config-rule/*")},
		"rds":            {a.ARN("rds", "db:"+p+"*"), a.ARN("rds", "pg:*"), a.ARN("rds", "subgrp:*")},
		"ec2":            {a.ARN("ec2", "vpc/*")},
		"states":         {a.ARN("states", "stateMachine:"+p+"*")},
		// Associations are named by cluster and an id EKS assigns.
		"eks": {a.ARN("eks", "podidentityassociation/*")},
	}
}

// previewReads are the read calls of the program's rows and the actions of
// its invokes, by service: what `pulumi preview` (invokes) and `pulumi
// preview --refresh` (every resource's read) make.
func previewReads() (map[string][]string, []string) {
	scoped, anywhere := map[string][]string{}, []string{}
	add := func(list []string, action string) []string {
		if slices.Contains(list, action) || slices.Contains(previewUnreadable, action) {
			return list
		}
		return append(list, action)
	}
	for _, r := range deploymatrix.Rows() {
		if r.Deployer != deploymatrix.Program {
			continue
		}
		for _, c := range r.Calls {
			if !c.Phases.Has(deploymatrix.Read) || c.On == deploymatrix.AssumedRole {
				continue
			}
			if c.On == deploymatrix.Any {
				anywhere = add(anywhere, c.Action)
				continue
			}
			service, _, _ := strings.Cut(c.Action, ":")
			scoped[service] = add(scoped[service], c.Action)
		}
	}
	for _, inv := range deploymatrix.Invokes() {
		for _, action := range inv.Actions {
			anywhere = add(anywhere, action)
		}
	}
	return scoped, anywhere
}

// previewPolicy is the whole policy of the preview role, an allow-list: the
// state (read only: a preview takes no lock, pkg/backend/diy/backend.go of
// pulumi/pulumi), the secrets-provider key, the invokes and the refresh
// reads of the deployability matrix, each scoped to the environment. The
// denies hold if a statement is ever widened: no secret value, no stack
// state or lock written or deleted, no parameter or log content.
func previewPolicy(a iam.Account, s settings, bucketARN, keyARN string) (iam.Document, error) {
	sc := newScope(a, s)
	scopes := previewScopes(sc)
	scoped, anywhere := previewReads()
	stmts := stateStatements(bucketARN, keyARN, false)
	slices.Sort(anywhere)
	stmts = append(stmts, iam.Statement{Sid: "InvokesAndReadsWithoutResourceLevelPermissions", Effect: iam.Allow,
		Action: iam.Strings(anywhere), Resource: iam.Strings{"*"}})
	for _, service := range slices.Sorted(maps.Keys(scoped)) {
		res, ok := scopes[service]
		if !ok {
			return iam.Document{}, fmt.Errorf("preview policy: the matrix reads %s (%v) but the preview role has no scope for it", service, scoped[service])
		}
		actions := scoped[service]
		slices.Sort(actions)
		stmts = append(stmts, iam.Statement{Sid: "Refresh" + sidWord(service), Effect: iam.Allow, Action: iam.Strings(actions), Resource: res})
	}
	stmts = append(stmts,
		iam.Statement{Sid: "NeverSecretValues", Effect: iam.Deny, Resource: iam.Strings{"*"},
			Action: iam.Strings{"secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"}},
		iam.Statement{Sid: "NeverParametersOrLogContent", Effect: iam.Deny, Resource: iam.Strings{"*"}, Action: iam.Strings{
			"logs:FilterLogEvents", "logs:GetLogEvents", "logs:GetQueryResults", "logs:StartLiveTail", "logs:StartQuery",
			"ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:GetParametersByPath",
		}},
	)
	if bucketARN != "" {
		stmts = append(stmts, iam.Statement{Sid: "NeverWriteStateOrLocks", Effect: iam.Deny, Resource: iam.Strings{bucketARN + "/*"},
			Action: iam.Strings{"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"}})
	}
	return iam.New(stmts...), nil
}

// sidWord turns "secretsmanager" into "Secretsmanager" for a statement id.
func sidWord(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
