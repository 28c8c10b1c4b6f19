package iam

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Version is the only policy language version the program writes.
const Version = "2012-10-17"

// Effect is Allow or Deny.
type Effect string

const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Document is an IAM policy document (identity, resource or key policy).
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement. Statement order is kept as written
// (reviewers read it top down); within a statement, lists are sorted.
type Statement struct {
	Sid       string     `json:"Sid,omitempty"`
	Effect    Effect     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    Strings    `json:"Action"`
	Resource  Strings    `json:"Resource,omitempty"`
	Condition Conditions `json:"Condition,omitempty"`
}

// Principal names who a resource or key policy statement applies to. Any is
// the "*" principal; the program never writes it, but Parse reads it so the
// rule checker can find it.
type Principal struct {
	AWS       Strings `json:"AWS,omitempty"`
	Service   Strings `json:"Service,omitempty"`
	Federated Strings `json:"Federated,omitempty"`
	Any       bool    `json:"-"`
}

// Conditions maps an operator (StringEquals, ArnLike, Bool, ...) to context keys
// and their allowed values.
type Conditions map[string]map[string]Strings

// New returns a document with the given statements.
func New(statements ...Statement) Document {
	return Document{Version: Version, Statement: statements}
}

// Strings is a list that IAM may write as one string or an array; the program
// always writes a sorted, deduplicated array.
type Strings []string

// MarshalJSON writes a sorted, deduplicated array.
func (s Strings) MarshalJSON() ([]byte, error) {
	out := slices.Clone([]string(s))
	sort.Strings(out)
	return json.Marshal(slices.Compact(out))
}

// UnmarshalJSON reads a string or an array of strings.
func (s *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("read string list: %w", err)
	}
	*s = many
	return nil
}

// MarshalJSON writes "*" for Any, else the principal object.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.Any {
		return []byte(`"*"`), nil
	}
	type plain Principal
	return json.Marshal(plain(p))
}

// UnmarshalJSON reads "*" or a principal object.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf("read principal: %q is neither \"*\" nor an object", star)
		}
		*p = Principal{Any: true}
		return nil
	}
	type plain Principal
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("read principal: %w", err)
	}
	*p = Principal(v)
	return nil
}

// JSON marshals the document with stable ordering and two-space indentation
// (what `pulumi preview --diff` and the offline plan show).
func (d Document) JSON() (string, error) {
	if d.Version == "" {
		d.Version = Version
	}
	for i, s := range d.Statement {
		if len(s.Action) == 0 {
			return "", fmt.Errorf("marshal policy: statement %d (%s) has no action", i, s.Sid)
		}
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return "", fmt.Errorf("marshal policy: %w", err)
	}
	return string(b), nil
}

// Parse reads a policy document, accepting every form IAM accepts for lists.
func Parse(s string) (Document, error) {
	var d Document
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return Document{}, fmt.Errorf("parse policy: %w", err)
	}
	return d, nil
}

// WithStatements returns a copy of d with more statements appended.
func (d Document) WithStatements(more ...Statement) Document {
	d.Statement = append(slices.Clone(d.Statement), more...)
	return d
}

// ArnLike reports whether arn matches pattern as IAM's ArnLike condition
// operator matches them: each of the six colon-separated parts on its own,
// * any run of characters within the part, ? any one (IAM User Guide,
// "IAM JSON policy elements: Condition operators", ARN condition operators).
func ArnLike(pattern, arn string) bool {
	p, a := strings.SplitN(pattern, ":", 6), strings.SplitN(arn, ":", 6)
	if len(p) != 6 || len(a) != 6 {
		return false
	}
	for i := range p {
		re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p[i])) + "$"
		if !regexp.MustCompile(re).MatchString(a[i]) {
			return false
		}
	}
	return true
}
