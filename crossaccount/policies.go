package crossaccount

import (
	"fmt"
	"slices"
	"strings"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
)

// forbiddenActions manage who may read a secret: granting them to another
// account would let it widen its own access or lock this account out.
var forbiddenActions = []string{"secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"}

// PrincipalARN is the role a principal in another account reads with.
func PrincipalARN(partition string, p config.ExternalPrincipal) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, p.AccountID, p.RoleName)
}

// CheckActions refuses any action that is not a read action, naming the
// resource-policy actions explicitly because granting them is the mistake
// that matters (SECURITY-RULES 9).
func CheckActions(actions []string) error {
	for _, a := range actions {
		if slices.ContainsFunc(forbiddenActions, func(f string) bool { return strings.EqualFold(a, f) }) {
			return fmt.Errorf("share action %s: refused, another account must never manage a secret's resource policy", a)
		}
		if !slices.Contains(iam.ReadActions(), a) {
			return fmt.Errorf("share action %s: refused, want only %s", a, strings.Join(iam.ReadActions(), ", "))
		}
	}
	return nil
}

// Grant is one principal a secret is shared with.
type Grant struct {
	// Name is the principal's config name; it forms the statement Sid.
	Name string
	// PrincipalARN is the reading role.
	PrincipalARN string
	// OrgID, when set, also requires the caller to be in that organization.
	OrgID string
	// Regions are the regions of the copies the principal reads (the
	// primary's, a replica's); nil means the primary's alone.
	Regions []string
}

// ResourcePolicy is a shared secret's resource policy: each listed role may
// read the copies of this secret it reads (the primary, replicas), nothing
// else, and nobody else. Secrets Manager replicates a secret's resource
// policy to its replicas (Secrets Manager user guide, "Replicate AWS
// Secrets Manager secrets across Regions"), so the one document, naming
// each copy by its ARN, is the resource grant in every region (decision D14).
func ResourcePolicy(secretARN string, actions []string, grants []Grant) (iam.Document, error) {
	if err := CheckActions(actions); err != nil {
		return iam.Document{}, err
	}
	if secretARN == "" || len(grants) == 0 {
		return iam.Document{}, fmt.Errorf("build resource policy: a secret ARN and at least one grant are required")
	}
	doc := iam.New()
	for _, g := range grants {
		st := iam.Statement{
			Sid:       "ReadBy" + sidOf(g.Name),
			Effect:    iam.Allow,
			Principal: &iam.Principal{AWS: iam.Strings{g.PrincipalARN}},
			Action:    iam.Strings(actions),
			Resource:  copyARNs(secretARN, g.Regions),
		}
		if g.OrgID != "" {
			st.Condition = iam.Conditions{"StringEquals": {"aws:PrincipalOrgID": {g.OrgID}}}
		}
		doc = doc.WithStatements(st)
	}
	return doc, nil
}

// copyARNs are the ARNs of a secret's copies in regions (the primary's when
// regions is empty).
func copyARNs(secretARN string, regions []string) iam.Strings {
	if len(regions) == 0 {
		return iam.Strings{secretARN}
	}
	var out iam.Strings
	for _, r := range regions {
		out = append(out, iam.ARNInRegion(secretARN, r))
	}
	return out
}

// KeyStatements are the secrets key's statements for the principals of other
// accounts: kms:Decrypt only, only through Secrets Manager in this region,
// only from the principal's own account, and only for data keys of the
// secrets shared with it. The key exists before the secrets do, so the
// secrets are named by ARN pattern (name plus Secrets Manager's six-character
// suffix) rather than by ARN.
func KeyStatements(cfg config.Config, acct iam.Account) []iam.Statement {
	return KeyStatementsIn(cfg, acct, acct.Region)
}

// KeyStatementsIn are the statements of the stack's key in region for the
// principals that read the copies there of the secrets shared with them
// (config.Config.ReadsByRegion): the primary's key in the stack's region, a
// replica key elsewhere, each through its own region's Secrets Manager only.
func KeyStatementsIn(cfg config.Config, acct iam.Account, region string) []iam.Statement {
	in := acct.InRegion(region)
	if cfg.Region == "" {
		cfg.Region = acct.Region
	}
	var out []iam.Statement
	for _, p := range cfg.CrossAccount {
		var patterns []string
		for _, name := range cfg.ReadsByRegion(p.Secrets, readerRegions(p, cfg.Region))[region] {
			patterns = append(patterns, SecretARNPattern(in, name))
		}
		if len(patterns) == 0 {
			continue
		}
		cond := iam.Conditions{
			"StringEquals": {
				"kms:ViaService":    {in.ViaSecretsManager()},
				"kms:CallerAccount": {p.AccountID},
			},
			"StringLike": {iam.EncryptionContextSecretARN: iam.Strings(patterns)},
		}
		if p.OrgID != "" {
			cond["StringEquals"]["aws:PrincipalOrgID"] = iam.Strings{p.OrgID}
		}
		out = append(out, iam.Statement{
			Sid:       "DecryptSharedSecretsFor" + sidOf(p.Name),
			Effect:    iam.Allow,
			Principal: &iam.Principal{AWS: iam.Strings{PrincipalARN(acct.Partition, p)}},
			Action:    iam.Strings{"kms:Decrypt"},
			Resource:  iam.Strings{"*"},
			Condition: cond,
		})
	}
	return out
}

// SecretARNPattern matches the ARN Secrets Manager will give a secret of
// that name: "?" matches exactly one character of the random suffix, so
// /prod/app/x cannot match /prod/app/x-other.
func SecretARNPattern(acct iam.Account, name string) string {
	return acct.ARN("secretsmanager", "secret:"+name+"-??????")
}

// sidOf turns "messaging-sender" into "MessagingSender" (Sids are alphanumeric).
func sidOf(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// readerRegions are the regions a principal reads in: its own, or the
// stack's region when config names none.
func readerRegions(p config.ExternalPrincipal, primary string) []string {
	if len(p.Regions) == 0 {
		return []string{primary}
	}
	return p.Regions
}
