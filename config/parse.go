package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acme/secrets-platform/iam"
)

// knownKeys are the keys of the project namespace. Pulumi.yaml declares those
// with a fixed default and the required ones; the CLI would make any other
// declared key required, so the keys with derived defaults are listed there in
// a comment only.
var knownKeys = []string{
	"environment", "mode", "protect", "recoveryWindowDays", "keyDeletionWindowDays",
	"keyAdminRoleArns", "maxSecretAgeDays", "cache", "secrets", "catalogFiles", "database", "externalSecrets", "adoptSecretsKeyArn",
	"workloads", "crossAccount", "alerts", "replicaRegions",
}

// Parse validates a stack's raw config. It never stops at the first problem:
// the error lists them all, each with its key, value and what is allowed.
func Parse(raw Raw) (Config, error) {
	ps := &problems{}
	c := Config{Stack: raw.Stack}

	c.Region = raw.Values["aws:region"]
	if !regionPattern.MatchString(c.Region) {
		ps.add("aws:region", c.Region, "set the AWS region, e.g. `pulumi config set aws:region eu-west-1`")
	}

	c.Environment = raw.Stack
	if v, ok := raw.get("environment"); ok {
		c.Environment = v
	}
	if !envPattern.MatchString(c.Environment) {
		ps.add(key("environment"), c.Environment, "lowercase letters, digits and dashes, starting with a letter, at most 20 characters (defaults to the stack name)")
	}

	c.Mode = Strict
	if v, ok := raw.get("mode"); ok {
		c.Mode = Mode(v)
		if c.Mode != Strict && c.Mode != Disposable {
			ps.add(key("mode"), v, "one of %q, %q", Strict, Disposable)
			c.Mode = Strict
		}
	}
	c.Protection = parseProtection(raw, c.Mode, ps)

	decodeKey(raw, "keyAdminRoleArns", &c.KeyAdminRoleARNs, ps)
	if len(c.KeyAdminRoleARNs) == 0 {
		ps.add(key("keyAdminRoleArns"), "[]", "at least one IAM role ARN that administers the KMS keys (include the role that runs `pulumi up`, or AWS's lockout safety check refuses the key policy)")
	}
	for i, a := range c.KeyAdminRoleARNs {
		if !roleARNPattern.MatchString(a) {
			ps.add(fmt.Sprintf("%s[%d]", key("keyAdminRoleArns"), i), a, "an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>")
		}
	}

	c.MaxSecretAgeDays = intKey(raw, "maxSecretAgeDays", MaxRotationDays, ps)
	if c.MaxSecretAgeDays < 1 || c.MaxSecretAgeDays > MaxRotationDays {
		ps.add(key("maxSecretAgeDays"), c.MaxSecretAgeDays, "1 to %d days", MaxRotationDays)
	}

	c.Cache = parseCache(raw, ps)
	c.AllowedAccountIDs = ownAccounts(raw)
	c.ReplicaRegions = parseReplicaRegions(raw, c, ps)
	c.AdoptSecretsKeyARN = parseAdoptSecretsKey(raw, c, ps)
	raw = withCatalogFiles(raw, ps)
	c.Secrets = parseSecrets(raw, c, ps)
	c.Database = parseDatabase(raw, c, ps)
	c.ExternalSecrets = parseExternalSecrets(raw, c, ps)
	c.Workloads = parseWorkloads(raw, c, ps)
	c.CrossAccount = parseCrossAccount(raw, c, ps)
	checkExternalsRead(c, ps)
	checkAccessExtra(raw, c, ps)
	checkWorkloadsWork(c, ps)
	c.Alerts = parseAlerts(raw, ps)
	checkUnknownKeys(raw, c, ps)

	if len(ps.list) > 0 {
		return Config{}, &Error{Stack: raw.Stack, Problems: ps.list}
	}
	return c, nil
}

// withCatalogFiles validates catalogFiles and reports what Load could not
// read; the files' entries are read with the stack file's (listEntries).
func withCatalogFiles(raw Raw, ps *problems) Raw {
	var listed []string
	decodeKey(raw, "catalogFiles", &listed, ps)
	raw.CatalogFiles = checkCatalogFiles(listed, ps)
	for i, p := range listed {
		if !slices.Contains(raw.CatalogFiles, p) {
			continue // refused above
		}
		if msg, ok := raw.FileProblems[p]; ok {
			ps.add(fmt.Sprintf("%s[%d]", key("catalogFiles"), i), p, "a readable file relative to the project directory (%s)", msg)
		} else if _, ok := raw.Files[p]; !ok {
			ps.add(fmt.Sprintf("%s[%d]", key("catalogFiles"), i), p, "a file the program could read (none was)")
		}
	}
	raw.reported = map[string]bool{}
	return raw
}

func parseProtection(raw Raw, m Mode, ps *problems) Protection {
	p := defaultProtection(m)
	if v, ok := raw.get("protect"); ok {
		b, err := strconv.ParseBool(v)
		switch {
		case err != nil:
			ps.add(key("protect"), v, "true or false")
		case !b && m == Strict:
			ps.add(key("protect"), v, "true in a strict stack (set mode: disposable to allow unprotected resources)")
		default:
			p.Protect = b
		}
	}
	p.RecoveryWindowDays = intKey(raw, "recoveryWindowDays", p.RecoveryWindowDays, ps)
	checkRecoveryWindow(key("recoveryWindowDays"), p.RecoveryWindowDays, m, ps)
	p.KeyDeletionWindowDays = intKey(raw, "keyDeletionWindowDays", p.KeyDeletionWindowDays, ps)
	switch {
	case m == Strict && p.KeyDeletionWindowDays != 30:
		ps.add(key("keyDeletionWindowDays"), p.KeyDeletionWindowDays, "30 in a strict stack (CKV_AWS_7 family; the longest window AWS allows)")
	case p.KeyDeletionWindowDays < 7 || p.KeyDeletionWindowDays > 30:
		ps.add(key("keyDeletionWindowDays"), p.KeyDeletionWindowDays, "7 to 30 days")
	}
	return p
}

func checkRecoveryWindow(k string, days int, m Mode, ps *problems) {
	switch {
	case days == 0 && m == Strict:
		ps.add(k, days, "7 to 30 days in a strict stack (0 deletes without recovery: only in mode: disposable)")
	case days != 0 && (days < 7 || days > 30):
		ps.add(k, days, "0 (disposable stacks only) or 7 to 30 days")
	}
}

func parseCache(raw Raw, ps *problems) Cache {
	c := Cache{TTL: 5 * time.Minute, MaxStale: 15 * time.Minute, Instances: 4}
	var r rawCache
	if !decodeKey(raw, "cache", &r, ps) {
		return c
	}
	c.TTL = durationField(key("cache")+".ttl", r.TTL, c.TTL, time.Second, 24*time.Hour, ps)
	c.MaxStale = durationField(key("cache")+".maxStale", r.MaxStale, c.MaxStale, 0, 24*time.Hour, ps)
	if r.Instances != nil {
		c.Instances = *r.Instances
		if c.Instances < 1 || c.Instances > 100000 {
			ps.add(key("cache")+".instances", c.Instances, "1 to 100000 service instances")
		}
	}
	return c
}

func parseAlerts(raw Raw, ps *problems) Alerts {
	var r rawAlerts
	decodeKey(raw, "alerts", &r, ps)
	for i, e := range r.Emails {
		if !emailPattern.MatchString(e) {
			ps.add(fmt.Sprintf("%s.emails[%d]", key("alerts"), i), e, "an email address")
		}
	}
	secret := raw.Secret[key("alerts")]
	for i, u := range r.HTTPSEndpoints {
		if !httpsPattern.MatchString(u) {
			// Webhook URLs carry their token in the URL, so they are secret.
			ps.add(fmt.Sprintf("%s.httpsEndpoints[%d]", key("alerts"), i), NewSensitive(u), "an https:// URL")
		}
	}
	if len(r.HTTPSEndpoints) > 0 && !secret {
		ps.add(key("alerts"), "(httpsEndpoints set in plain text)", "set alerts with `pulumi config set --secret --path` when it lists httpsEndpoints: webhook URLs carry their token")
	}
	own := ownAccounts(raw)
	for i, a := range r.OperatorRoleArns {
		if !roleARNPattern.MatchString(a) || len(own) > 0 && !slices.Contains(own, iam.AccountOf(a)) {
			ps.add(fmt.Sprintf("%s.operatorRoleArns[%d]", key("alerts"), i), a, "the ARN of a role of this stack's account that operators put values with")
		}
	}
	return Alerts{Emails: r.Emails, HTTPSEndpoints: r.HTTPSEndpoints, OperatorRoleARNs: r.OperatorRoleArns}
}

// checkUnknownKeys refuses keys of our namespace that nothing reads: a typo
// in a key name would otherwise silently fall back to a default.
func checkUnknownKeys(raw Raw, c Config, ps *problems) {
	allowed := slices.Clone(knownKeys)
	for _, s := range c.Secrets {
		if s.ValueConfigKey != "" {
			allowed = append(allowed, s.ValueConfigKey)
		}
	}
	var unknown []string
	for k := range raw.Values {
		name, ok := strings.CutPrefix(k, Project+":")
		if ok && !slices.Contains(allowed, name) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		ps.add(k, "(set)", "not a known key; known keys are %s, or a key named by a secret's valueConfigKey", strings.Join(knownKeys, ", "))
	}
}

func key(name string) string { return Project + ":" + name }

// decodeKey decodes a JSON-valued key; it reports false when the key is unset
// or malformed (a problem is recorded for the latter).
func decodeKey(raw Raw, name string, into any, ps *problems) bool {
	v, ok := raw.get(name)
	if !ok || strings.TrimSpace(v) == "" {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(v)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		if raw.Secret[key(name)] {
			// The decoder's message can quote the value; a secret key shows neither.
			ps.add(key(name), NewSensitive(v), "valid config for this key (a JSON value of the documented shape)")
			return false
		}
		ps.add(key(name), abbreviate(v), "valid config for this key: %v", err)
		return false
	}
	return true
}

func intKey(raw Raw, name string, def int, ps *problems) int {
	v, ok := raw.get(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		ps.add(key(name), v, "a whole number")
		return def
	}
	return n
}

func durationField(k, v string, def, lo, hi time.Duration, ps *problems) time.Duration {
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		ps.add(k, v, "a Go duration from %v to %v, e.g. 5m, 1h30m", lo, hi)
		return def
	}
	return d
}

// abbreviate keeps problem lines readable when a whole JSON key is malformed.
func abbreviate(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
