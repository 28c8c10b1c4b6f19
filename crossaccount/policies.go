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
}

// ResourcePolicy is a shared secret's resource policy: each listed role may
// read this secret, nothing else, and nobody else.
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
			Resource:  iam.Strings{secretARN},
		}
		if g.OrgID != "" {
			st.Condition = iam.Conditions{"StringEquals": {"aws:PrincipalOrgID": {g.OrgID}}}
		}
		doc = doc.WithStatements(st)
	}
	return doc, nil
}

// KeyStatements are the secrets key's statements for the principals of other
// accounts: kms:Decrypt only, only through Secrets Manager in this region,
// only from the principal's own account, and only for data keys of the
// secrets shared with it. The key exists before the secrets do, so the
// secrets are named by ARN pattern (name plus Secrets Manager's six-character
// suffix) rather than by ARN.
func KeyStatements(cfg config.Config, acct iam.Account) []iam.Statement {
	var out []iam.Statement
	for _, p := range cfg.CrossAccount {
		var patterns []string
		for _, name := range p.Secrets {
			patterns = append(patterns, SecretARNPattern(acct, name))
		}
		cond := iam.Conditions{
			"StringEquals": {
				"kms:ViaService":    {acct.ViaSecretsManager()},
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
