package rules

import (
	"slices"

	"github.com/acme/secrets-platform/internal/mockrun"
)

// dbTypeParameterGroup is the RDS parameter group type token.
const dbTypeParameterGroup = "aws:rds/parameterGroup:ParameterGroup"

// dbMinStrictBackupDays is the shortest backup retention of a strict stack.
const dbMinStrictBackupDays = 7

// databaseRules check the RDS instance (SECURITY-RULES 14).
func databaseRules() []Rule {
	return []Rule{
		{ID: 14, Title: "RDS: CMK storage, private, IAM auth, TLS only, logs exported; protected, backed up and multi-AZ in strict stacks", Check: checkDatabases},
	}
}

func checkDatabases(rec *mockrun.Recording) []Violation {
	cmks := keyARNs(rec)
	params := map[string]mockrun.Resource{}
	for _, pg := range rec.OfType(dbTypeParameterGroup) {
		params[pg.StateStr("name")] = pg
	}
	var out []Violation
	for _, db := range rec.OfType(mockrun.TypeRDSInstance) {
		if on, _ := db.Bool("storageEncrypted"); !on {
			out = append(out, violation(14, db, "storageEncrypted is not true"))
		}
		if k := db.Str("kmsKeyId"); !slices.Contains(cmks, k) {
			out = append(out, violation(14, db, "storage kmsKeyId %q is not a customer-managed key of this stack", k))
		}
		if public, _ := db.Bool("publiclyAccessible"); public {
			out = append(out, violation(14, db, "publiclyAccessible is true"))
		}
		if on, _ := db.Bool("iamDatabaseAuthenticationEnabled"); !on {
			out = append(out, violation(14, db, "iamDatabaseAuthenticationEnabled is not true"))
		}
		if logs := db.Strings("enabledCloudwatchLogsExports"); !slices.Contains(logs, "postgresql") {
			out = append(out, violation(14, db, "enabledCloudwatchLogsExports = %v, want it to include postgresql", logs))
		}
		out = append(out, forceSSLViolations(db, params)...)
		if rec.Strict {
			out = append(out, strictDatabaseViolations(db)...)
		}
	}
	return out
}

// forceSSLViolations: the instance uses a parameter group of this stack that
// sets rds.force_ssl=1 (the default group allows plain-text connections).
func forceSSLViolations(db mockrun.Resource, params map[string]mockrun.Resource) []Violation {
	name := db.Str("parameterGroupName")
	pg, ok := params[name]
	if !ok {
		return []Violation{violation(14, db, "parameterGroupName %q is not a parameter group of this stack", name)}
	}
	v, ok := pg.Input("parameters")
	if ok && v.IsArray() {
		for _, e := range v.ArrayValue() {
			if e = mockrun.Plain(e); !e.IsObject() {
				continue
			}
			o := e.ObjectValue()
			n, val := mockrun.Plain(o["name"]), mockrun.Plain(o["value"])
			if n.IsString() && n.StringValue() == "rds.force_ssl" && val.IsString() && val.StringValue() == "1" {
				return nil
			}
		}
	}
	return []Violation{violation(14, pg, "rds.force_ssl is not 1")}
}

func strictDatabaseViolations(db mockrun.Resource) []Violation {
	var out []Violation
	if on, _ := db.Bool("deletionProtection"); !on {
		out = append(out, violation(14, db, "deletionProtection is not true in a strict stack"))
	}
	if skip, _ := db.Bool("skipFinalSnapshot"); skip || db.Str("finalSnapshotIdentifier") == "" {
		out = append(out, violation(14, db, "no final snapshot in a strict stack (skipFinalSnapshot %v, finalSnapshotIdentifier %q)", skip, db.Str("finalSnapshotIdentifier")))
	}
	if days, _ := db.Int("backupRetentionPeriod"); days < dbMinStrictBackupDays {
		out = append(out, violation(14, db, "backupRetentionPeriod = %d, want at least %d in a strict stack", days, dbMinStrictBackupDays))
	}
	if on, _ := db.Bool("multiAz"); !on {
		out = append(out, violation(14, db, "multiAz is not true in a strict stack"))
	}
	return out
}
