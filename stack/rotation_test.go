package stack_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotation/artifact"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/stack"
)

// rotOwn is the logical name of a secret's own rotation resources (child
// "rotation" or "slot"), which live under the secret's catalog component.
func rotOwn(s config.Secret, child string) string {
	return "catalog-" + s.Group + "-" + s.Short + "-" + child
}

func rotMust(t *testing.T, rec *mockrun.Recording, name string) mockrun.Resource {
	t.Helper()
	r, ok := rec.Named(name)
	require.True(t, ok, "got no resource %s, want one", name)
	return r
}

// rotServing is the rotator that serves the secret: its component's
// logical name ("rotation-" and its function's name after {env}-rotate-)
// and its function, found through the rotationFunctions output.
func rotServing(t *testing.T, rec *mockrun.Recording, secret string) (string, mockrun.Resource) {
	t.Helper()
	var functions map[string]string
	require.NoError(t, rotDecode(rec.Outputs["rotationFunctions"].Value, &functions))
	fnName, ok := functions[secret]
	require.True(t, ok, "got no rotation function for %s in rotationFunctions", secret)
	_, group, ok := strings.Cut(fnName, "-rotate-")
	require.True(t, ok, "function %s has no -rotate- in its name", fnName)
	comp := "rotation-" + group
	return comp, rotMust(t, rec, comp+"-function")
}

// TestEveryRotatedSecretHasARotator: each automatically rotated secret is
// served by the function of its group, which Secrets Manager may invoke for
// that secret, and its rotation (or, while it awaits a prerequisite, none)
// is its own catalog component's child.
func TestEveryRotatedSecretHasARotator(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			acct := accountOf(t, st)
			var functions map[string]string
			require.NoError(t, rotDecode(rec.Outputs["rotationFunctions"].Value, &functions))
			var automatic int
			members := map[string][]string{}
			for _, s := range cfg.Secrets {
				st := s.Rotation.Strategy
				if !st.Automatic() {
					assert.NotContains(t, functions, s.Name, "got a rotation function for manual %s, want none", s.Name)
					_, ok := rec.Named(rotOwn(s, "rotation"))
					assert.False(t, ok, "got a rotation for manual %s, want none", s.Name)
					continue
				}
				automatic++
				secretArn := rotMust(t, rec, "catalog-"+s.Group+"-"+s.Short+"-secret").StateStr("arn")
				comp, fn := rotServing(t, rec, s.Name)
				fnName := fn.Str("name")
				members[fnName] = append(members[fnName], secretArn)
				assert.True(t, strings.HasPrefix(fnName, cfg.Environment+"-rotate-"), "function %s: want the {env}-rotate- prefix", fnName)
				assert.LessOrEqual(t, len(fnName), 64, "function %s: Lambda's names are 64 characters at most", fnName)
				assert.Equal(t, string(st), fn.Str("environment.variables.ROTATION_STRATEGY"))
				assert.Equal(t, rotation.Runtime, fn.Str("runtime"))
				assert.Equal(t, []string{rotation.Architecture}, fn.Strings("architectures"))
				assert.Equal(t, "bootstrap", fn.Str("handler"))

				perm := rotMust(t, rec, comp+"-invoke-"+s.Group+"-"+s.Short)
				assert.Equal(t, "secretsmanager.amazonaws.com", perm.Str("principal"))
				assert.Equal(t, secretArn, perm.Str("sourceArn"), "got sourceArn %q, want the secret %q", perm.Str("sourceArn"), secretArn)
				assert.Equal(t, acct, perm.Str("sourceAccount"))
				assert.Equal(t, fnName, perm.Str("function"))
				assert.Equal(t, rotation.PermissionStatementID(s.Name), perm.Str("statementId"))

				if waitsFor, waiting := cfg.AwaitingPrerequisite(s); waiting {
					_, ok := rec.Named(rotOwn(s, "rotation"))
					assert.False(t, ok, "got a rotation of %s while %s has no value, want none until the runbook's flag", s.Name, waitsFor)
					var blocked map[string]map[string]string
					require.NoError(t, rec.Outputs["rotationsAwaitingPrerequisite"].Decode(&blocked))
					assert.Equal(t, waitsFor, blocked[s.Name]["waitsFor"], "rotationsAwaitingPrerequisite[%s]", s.Name)
				} else {
					rot := rotMust(t, rec, rotOwn(s, "rotation"))
					assert.Equal(t, secretArn, rot.Str("secretId"))
					assert.Equal(t, fn.StateStr("arn"), rot.Str("rotationLambdaArn"))
					slot, ok := rotMust(t, rec, rotOwn(s, "slot")).State["result"].V.(float64)
					require.True(t, ok, "the schedule slot of %s has a result", s.Name)
					want := rotation.Schedule(s.Rotation, int(slot))
					assert.Equal(t, want, rot.Str("rotationRules.scheduleExpression"), "schedule of %s", s.Name)
					_, hasDays := rot.Int("rotationRules.automaticallyAfterDays")
					assert.False(t, hasDays, "%s: a rate of days opens every window at midnight, want the staggered schedule", s.Name)
					now, _ := rot.Bool("rotateImmediately")
					assert.Equal(t, rotation.RotateImmediately(s), now, "rotateImmediately of %s", s.Name)
					assert.Contains(t, rot.DependsOn, perm.URN, "got the rotation not waiting for the invoke permission")
					first := rotMust(t, rec, "catalog-"+s.Group+"-"+s.Short+"-first-value")
					assert.Contains(t, rot.DependsOn, first.URN, "got the rotation of %s not waiting for its first version", s.Name)
					secret := rotMust(t, rec, "catalog-"+s.Group+"-"+s.Short)
					assert.Equal(t, secret.URN, rot.Parent, "the rotation of %s is its catalog component's child, so it stays when the secret changes group", s.Name)
				}

				_, inVPC := fn.Input("vpcConfig.subnetIds")
				assert.Equal(t, st.ReadsMasterSecret(), inVPC, "got vpcConfig %v for %s", inVPC, st)
				if st.ReadsMasterSecret() {
					assert.Equal(t, strings.Join(cfg.Database.Grants, ","), fn.Str("environment.variables."+contract.EnvDBGrants))
					// The rotator is pinned to the instance (decision D6).
					var host string
					require.NoError(t, rotDecode(rec.Outputs["databaseHost"].Value, &host))
					assert.NotEmpty(t, host, "databaseHost")
					assert.Equal(t, host, fn.Str("environment.variables."+contract.EnvDBHost), "the rotator of %s is pinned to another host", s.Name)
					assert.NotEmpty(t, fn.Str("environment.variables."+contract.EnvDBPort), "the rotator of %s has no pinned port", s.Name)
				}
				if s.AdminSecret != "" {
					admin := rotMust(t, rec, "catalog-"+strings.ReplaceAll(strings.TrimPrefix(s.AdminSecret, "/"+cfg.Environment+"/"), "/", "-")+"-secret")
					assert.Equal(t, admin.StateStr("arn"), fn.Str("environment.variables."+contract.EnvAdminSecretARN))
				}
			}
			assert.Len(t, functions, automatic, "got %d secrets in rotationFunctions, want every automatic secret (%d)", len(functions), automatic)
			for fnName, arns := range members {
				rotCheckSweep(t, rec, cfg.Environment, fnName, arns, acct)
			}
			var rotators int
			for _, fn := range rec.OfType("aws:lambda/function:Function") {
				if strings.HasPrefix(fn.Str("name"), cfg.Environment+"-rotate-") {
					rotators++
				}
			}
			assert.Equal(t, len(members), rotators, "got %d rotation functions, want one per group serving the automatic secrets (%d)", rotators, len(members))
		})
	}
}

// rotCheckSweep: a function that rotates third-party keys gets a 15-minute
// sweep invoking it with a contract.SweepEvent naming exactly its secrets;
// other strategies get none.
func rotCheckSweep(t *testing.T, rec *mockrun.Recording, env, fnName string, secretArns []string, acct string) {
	t.Helper()
	comp := "rotation-" + strings.TrimPrefix(fnName, env+"-rotate-")
	fn := rotMust(t, rec, comp+"-function")
	strategy := config.Strategy(fn.Str("environment.variables." + contract.EnvStrategy))
	target, ok := rec.Named(comp + "-sweep-target")
	wantSweep := strategy == config.HTTPKey || strategy == config.Twilio
	require.Equal(t, wantSweep, ok, "got sweep %v for %s, want %v", ok, strategy, wantSweep)
	if !wantSweep {
		return
	}
	rule := rotMust(t, rec, comp+"-sweep-schedule")
	assert.Equal(t, rotation.SweepSchedule, rule.Str("scheduleExpression"))
	assert.Equal(t, rotation.SweepRuleName(fnName), rule.Str("name"))
	assert.Equal(t, fn.StateStr("arn"), target.Str("arn"))
	ev, isSweep, err := contract.ParseSweepEvent([]byte(target.Str("input")))
	require.NoError(t, err)
	assert.True(t, isSweep, "got an input the rotator would not read as a sweep: %s", target.Str("input"))
	assert.Equal(t, contract.ActionRevokeExpired, ev.Action)
	assert.ElementsMatch(t, secretArns, ev.SecretIDs, "the sweep of %s names exactly its secrets", fnName)
	perm := rotMust(t, rec, comp+"-sweep-permission")
	assert.Equal(t, "events.amazonaws.com", perm.Str("principal"))
	assert.Equal(t, rule.StateStr("arn"), perm.Str("sourceArn"))
	assert.Equal(t, acct, perm.Str("sourceAccount"))
}

func TestRotationFunctionsDeployTheBuiltZip(t *testing.T) {
	st, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	fns := rec.OfType("aws:lambda/function:Function")
	var hashes []string
	for _, fn := range fns {
		if !strings.HasPrefix(fn.Name, "rotation-") {
			continue
		}
		code, ok := fn.Inputs["code"]
		require.True(t, ok && code.IsArchive(), "function %s: got no archive, want the built zip", fn.Name)
		zip, err := os.ReadFile(code.ArchiveValue().Path)
		require.NoError(t, err)
		assert.Equal(t, artifact.SourceCodeHash(zip), fn.Str("sourceCodeHash"), "function %s: got sourceCodeHash %s, want the zip's", fn.Name, fn.Str("sourceCodeHash"))
		hashes = append(hashes, fn.Str("sourceCodeHash"))
	}
	require.NotEmpty(t, hashes)
	assert.Len(t, slices.Compact(slices.Sorted(slices.Values(hashes))), 1, "got %v, want one build shared by every function", hashes)

	// A fresh build into another directory gives the same bytes, so a second
	// preview of an unchanged checkout shows no change.
	root, err := artifact.ModuleRoot(".")
	require.NoError(t, err)
	again, err := artifact.Build(context.Background(), artifact.BuildArgs{Root: root, OutDir: t.TempDir()})
	require.NoError(t, err)
	assert.Equal(t, hashes[0], again.SourceCodeHash, "got a different hash from a rebuild, want the same")
	assert.Equal(t, again.SourceCodeHash, rec.Outputs["rotatorSourceCodeHash"].Value)
}

// rotWithDatabaseStrategy switches the stack's database secret to another
// rotation strategy.
func rotWithDatabaseStrategy(t *testing.T, st mockrun.Stack, strategy config.Strategy) mockrun.Stack {
	t.Helper()
	var db struct {
		SecretName string `json:"secretName"`
	}
	require.NoError(t, json.Unmarshal([]byte(st.Config["secrets-platform:database"]), &db))
	var entries []map[string]any
	require.NoError(t, json.Unmarshal([]byte(st.Config["secrets-platform:secrets"]), &entries))
	found := false
	for _, e := range entries {
		if e["name"] == db.SecretName {
			rot, _ := e["rotation"].(map[string]any)
			rot["strategy"] = string(strategy)
			found = true
		}
	}
	require.True(t, found, "got no database secret %s in the catalog", db.SecretName)
	b, err := json.Marshal(entries)
	require.NoError(t, err)
	return st.With("secrets", string(b))
}

// rotNetworkReady are the database component's children that a rotation
// from the private subnets needs: the Secrets Manager endpoint (their only way
// out) and the rules of the rotator's paths to it and to PostgreSQL.
func rotNetworkReady() []string {
	return []string{
		"database-secretsmanager-endpoint",
		"database-rotator-to-endpoint", "database-endpoint-from-rotator",
		"database-rotator-to-db", "database-db-from-rotator",
	}
}

// rotAssertWaitsForNetwork checks that res DependsOn every rotNetworkReady
// resource.
func rotAssertWaitsForNetwork(t *testing.T, rec *mockrun.Recording, res mockrun.Resource) {
	t.Helper()
	for _, name := range rotNetworkReady() {
		dep := rotMust(t, rec, name)
		assert.Contains(t, res.DependsOn, dep.URN, "got %s not waiting for %s, want it in dependsOn (the first rotation runs at once from the private subnets)", res.Name, name)
	}
}

func TestDatabaseRotationWaitsForItsNetwork(t *testing.T) {
	names, err := mockrun.StackNames("..")
	require.NoError(t, err)
	for _, n := range names {
		base, err := mockrun.LoadStack("..", n)
		require.NoError(t, err)
		t.Run(n, func(t *testing.T) {
			rec, cfg := parsed(t, base)
			require.NotNil(t, cfg.Database, "stack %s has a database", n)
			s, ok := cfg.Secret(cfg.Database.SecretName)
			require.True(t, ok)
			require.True(t, rotation.RotateImmediately(s), "the database secret rotates at once, so its network must be up first")
			_, fn := rotServing(t, rec, s.Name)
			rotAssertWaitsForNetwork(t, rec, fn)
			rotAssertWaitsForNetwork(t, rec, rotMust(t, rec, rotOwn(s, "rotation")))
		})
	}
}

// rotDecode reads a resolved output of any map shape into v.
func rotDecode(value, v any) error {
	b, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// rotBroken returns a copy of rec with the named resource changed by edit;
// rec itself is left as it was.
func rotBroken(t *testing.T, rec *mockrun.Recording, name string, edit func(r *mockrun.Resource)) *mockrun.Recording {
	t.Helper()
	cp := *rec
	cp.Resources = slices.Clone(rec.Resources)
	cp.Outputs = maps.Clone(rec.Outputs)
	i := slices.IndexFunc(cp.Resources, func(r mockrun.Resource) bool { return r.Name == name })
	require.GreaterOrEqual(t, i, 0, "got no resource %s to break", name)
	r := cp.Resources[i]
	r.Inputs, r.State = r.Inputs.Copy(), r.State.Copy()
	edit(&r)
	cp.Resources[i] = r
	return &cp
}

// rotDropped returns a copy of rec without the named resource.
func rotDropped(t *testing.T, rec *mockrun.Recording, name string) *mockrun.Recording {
	t.Helper()
	cp := *rec
	cp.Resources = slices.DeleteFunc(slices.Clone(rec.Resources), func(r mockrun.Resource) bool { return r.Name == name })
	require.Len(t, cp.Resources, len(rec.Resources)-1, "got no resource %s to drop", name)
	return &cp
}

// rotAdded returns a copy of rec with a copy of the named resource added
// under a new name, changed by edit.
func rotAdded(t *testing.T, rec *mockrun.Recording, from, name string, edit func(r *mockrun.Resource)) *mockrun.Recording {
	t.Helper()
	src := rotMust(t, rec, from)
	cp := *rec
	src.Name, src.URN = name, src.URN+"-copy"
	src.Inputs, src.State = src.Inputs.Copy(), src.State.Copy()
	edit(&src)
	cp.Resources = append(slices.Clone(rec.Resources), src)
	return &cp
}

// rotSet sets (or, with nil, deletes) an input by dotted path, copying every
// object on the way so the original recording is untouched.
func rotSet(r *mockrun.Resource, path string, v any) {
	r.Inputs = rotSetIn(r.Inputs, strings.Split(path, "."), v)
}

func rotSetIn(m resource.PropertyMap, parts []string, v any) resource.PropertyMap {
	m = m.Copy()
	k := resource.PropertyKey(parts[0])
	if len(parts) == 1 {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = resource.NewPropertyValue(v)
		}
		return m
	}
	child := resource.PropertyMap{}
	if cur, ok := m[k]; ok {
		for cur.IsSecret() || cur.IsOutput() {
			if cur.IsSecret() {
				cur = cur.SecretValue().Element
			} else {
				cur = cur.OutputValue().Element
			}
		}
		if cur.IsObject() {
			child = cur.ObjectValue()
		}
	}
	m[k] = resource.NewObjectProperty(rotSetIn(child, parts[1:], v))
	return m
}

// rotPolicy rewrites a role policy's document.
func rotPolicy(t *testing.T, edit func(d *iam.Document)) func(r *mockrun.Resource) {
	return func(r *mockrun.Resource) {
		d, err := iam.Parse(r.Str("policy"))
		require.NoError(t, err)
		edit(&d)
		s, err := d.JSON()
		require.NoError(t, err)
		rotSet(r, "policy", s)
	}
}

// rotStatement edits the statement with the given Sid.
func rotStatement(t *testing.T, sid string, edit func(s *iam.Statement)) func(r *mockrun.Resource) {
	return rotPolicy(t, func(d *iam.Document) {
		i := slices.IndexFunc(d.Statement, func(s iam.Statement) bool { return s.Sid == sid })
		require.GreaterOrEqual(t, i, 0, "got no statement %s", sid)
		st := d.Statement[i]
		st.Condition = maps.Clone(st.Condition)
		for op, c := range st.Condition {
			st.Condition[op] = maps.Clone(c)
		}
		edit(&st)
		d.Statement = slices.Clone(d.Statement)
		d.Statement[i] = st
	})
}

// rotViolations are a recording's violations of one rule, as text.
func rotViolations(rec *mockrun.Recording, rule int) []string {
	var out []string
	for _, v := range rules.Check(rec) {
		if v.Rule == rule {
			out = append(out, v.String())
		}
	}
	return out
}

func TestRotationAndDatabaseRulesCatchWhatTheyClaim(t *testing.T) {
	st, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	// The day the Twilio admin credential is there, so the Twilio rotation
	// is deployed too.
	st = editSecrets(t, st, setField(5, "valuePut", true))
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	arn := func(name string) string { return rotMust(t, rec, name).StateStr("arn") }
	stripe, twilioAdmin := arn("catalog-app-stripe-secret"), arn("catalog-integrations-twilio-admin-secret")
	master, _ := rec.Outputs["databaseMasterSecretArn"].Value.(string)
	require.NotEmpty(t, master)
	secretsAlias := arn("secrets-key-alias")
	secretsKeyID := rotMust(t, rec, "secrets-key-key").StateStr("keyId")
	db, dbFn := rotServing(t, rec, "/prod/app/database")
	kr, krFn := rotServing(t, rec, "/prod/app/encryption-key")
	tw, _ := rotServing(t, rec, "/prod/integrations/twilio")
	databaseSecret, databaseFn := arn("catalog-app-database-secret"), dbFn.StateStr("arn")
	require.NotEmpty(t, secretsKeyID)
	// contextOf is the condition of a Secrets Manager key grant for one
	// secret, with or without kms:ViaService.
	contextOf := func(secret string, via bool) iam.Conditions {
		c := map[string]iam.Strings{"kms:EncryptionContext:SecretARN": {secret}}
		if via {
			c["kms:ViaService"] = iam.Strings{"secretsmanager.eu-west-1.amazonaws.com"}
		}
		return iam.Conditions{"StringEquals": c}
	}
	keyGrant := func(sid, action, resource string, cond iam.Conditions) func(d *iam.Document) {
		return func(d *iam.Document) {
			d.Statement = append(slices.Clone(d.Statement), iam.Statement{
				Sid: sid, Effect: iam.Allow, Action: iam.Strings{action}, Resource: iam.Strings{resource}, Condition: cond,
			})
		}
	}
	grant := func(sid string, actions []string, resources ...string) func(d *iam.Document) {
		return func(d *iam.Document) {
			d.Statement = append(slices.Clone(d.Statement), iam.Statement{Sid: sid, Effect: iam.Allow, Action: actions, Resource: resources})
		}
	}

	tests := []struct {
		name   string
		rule   int
		want   string
		mutate func() *mockrun.Recording
	}{
		// Rule 2: schedules, and manual secrets that say why.
		{"automatic secret without rotation", 2, "has 0 rotation resources", func() *mockrun.Recording {
			return rotDropped(t, rec, "catalog-app-encryption-key-rotation")
		}},
		{"period over 90 days", 2, "automaticallyAfterDays = 120", func() *mockrun.Recording {
			return rotBroken(t, rec, "catalog-app-database-rotation", func(r *mockrun.Resource) {
				rotSet(r, "rotationRules.scheduleExpression", nil)
				rotSet(r, "rotationRules.automaticallyAfterDays", 120)
			})
		}},
		{"schedule under 4 hours", 2, "every 2 hours", func() *mockrun.Recording {
			return rotBroken(t, rec, "catalog-app-database-rotation", func(r *mockrun.Resource) {
				rotSet(r, "rotationRules.automaticallyAfterDays", nil)
				rotSet(r, "rotationRules.scheduleExpression", "rate(2 hours)")
			})
		}},
		{"cron every minute", 2, "not provably", func() *mockrun.Recording {
			return rotBroken(t, rec, "catalog-app-database-rotation", func(r *mockrun.Resource) {
				rotSet(r, "rotationRules.automaticallyAfterDays", nil)
				rotSet(r, "rotationRules.scheduleExpression", "cron(* * * * ? *)")
			})
		}},
		{"manual secret with a rotation", 2, "is Rotation=manual but has a rotation resource", func() *mockrun.Recording {
			return rotAdded(t, rec, "catalog-app-encryption-key-rotation", "catalog-app-stripe-rotation", func(r *mockrun.Resource) { rotSet(r, "secretId", stripe) })
		}},
		{"manual secret without a reason", 2, "no reason with a runbook", func() *mockrun.Recording {
			cp := *rec
			cp.Outputs = maps.Clone(rec.Outputs)
			var manual map[string]string
			require.NoError(t, rotDecode(rec.Outputs["manualRotation"].Value, &manual))
			delete(manual, "/prod/app/stripe")
			cp.Outputs["manualRotation"] = mockrun.Output{Value: manual, Known: true}
			return &cp
		}},
		// Rule 11: invoke permissions.
		{"permission without sourceArn", 11, "want both", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-invoke-app-database", func(r *mockrun.Resource) { rotSet(r, "sourceArn", nil) })
		}},
		{"permission without sourceAccount", 11, "want both", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-invoke-app-database", func(r *mockrun.Resource) { rotSet(r, "sourceAccount", nil) })
		}},
		{"permission for another secret", 11, "has no invoke permission", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-invoke-app-database", func(r *mockrun.Resource) { rotSet(r, "sourceArn", stripe) })
		}},
		{"permission from another account", 11, "is not this stack's account", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-invoke-app-database", func(r *mockrun.Resource) { rotSet(r, "sourceAccount", "999999999999") })
		}},
		{"rotation on a function we did not deploy", 11, "is not a function this program deployed", func() *mockrun.Recording {
			return rotBroken(t, rec, "catalog-app-database-rotation", func(r *mockrun.Resource) {
				rotSet(r, "rotationLambdaArn", "arn:aws:lambda:eu-west-1:111122223333:function:guessed")
			})
		}},
		{"invoke permission for a secret the plan does not give the function", 11, "which the stack does not rotate with it", func() *mockrun.Recording {
			return rotAdded(t, rec, kr+"-invoke-app-encryption-key", "extra-permission", func(r *mockrun.Resource) { rotSet(r, "sourceArn", stripe) })
		}},
		{"anyone may invoke a rotator named by ARN", 11, "may invoke a rotation function; want one of", func() *mockrun.Recording {
			return rotAdded(t, rec, kr+"-invoke-app-encryption-key", "public-permission", func(r *mockrun.Resource) {
				rotSet(r, "function", krFn.StateStr("arn"))
				rotSet(r, "principal", "*")
			})
		}},
		{"EventBridge from another account's rule", 11, "not a rule of this stack", func() *mockrun.Recording {
			return rotAdded(t, rec, kr+"-invoke-app-encryption-key", "foreign-rule", func(r *mockrun.Resource) {
				rotSet(r, "principal", "events.amazonaws.com")
				rotSet(r, "sourceArn", "arn:aws:events:eu-west-1:111122223333:rule/not-ours")
			})
		}},
		{"an automatic secret the plan gives no function", 11, "names no function of this stack", func() *mockrun.Recording {
			cp := *rec
			cp.Outputs = maps.Clone(rec.Outputs)
			var planned map[string]string
			require.NoError(t, rotDecode(rec.Outputs["rotationFunctions"].Value, &planned))
			delete(planned, "/prod/app/encryption-key")
			cp.Outputs["rotationFunctions"] = mockrun.Output{Value: planned, Known: true}
			return &cp
		}},
		{"sweep permission without sourceArn", 11, "want both", func() *mockrun.Recording {
			return rotBroken(t, rec, tw+"-sweep-permission", func(r *mockrun.Resource) { rotSet(r, "sourceArn", nil) })
		}},
		// Rule 12: the role reaches its own secret only.
		{"own-secret statement on every secret", 12, "not one of the secrets", func() *mockrun.Recording {
			return rotBroken(t, rec, kr+"-policy", rotStatement(t, rotation.SidRotateOwnSecret, func(s *iam.Statement) {
				s.Resource = iam.Strings{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:*"}
			}))
		}},
		{"an action rotation does not need", 12, "the rotation protocol needs only", func() *mockrun.Recording {
			return rotBroken(t, rec, kr+"-policy", rotStatement(t, rotation.SidRotateOwnSecret, func(s *iam.Statement) {
				s.Action = append(slices.Clone(s.Action), "secretsmanager:DeleteSecret")
			}))
		}},
		{"master secret read outside postgres", 12, "not one of the secrets", func() *mockrun.Recording {
			return rotBroken(t, rec, tw+"-policy", rotPolicy(t, grant("Master", []string{"secretsmanager:GetSecretValue"}, master)))
		}},
		{"admin secret read by a rotator without one", 12, "not one of the secrets", func() *mockrun.Recording {
			return rotBroken(t, rec, kr+"-policy", rotPolicy(t, grant("Admin", []string{"secretsmanager:GetSecretValue"}, twilioAdmin)))
		}},
		{"admin secret written", 12, "not one of the secrets", func() *mockrun.Recording {
			return rotBroken(t, rec, tw+"-policy", rotPolicy(t, grant("Admin", []string{"secretsmanager:PutSecretValue"}, twilioAdmin)))
		}},
		{"key use without the secret context", 12, "ncryption", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotStatement(t, rotation.SidUseSecretsKey, func(s *iam.Statement) {
				delete(s.Condition["StringEquals"], "kms:EncryptionContext:SecretARN")
			}))
		}},
		{"key use outside Secrets Manager", 12, "without kms:ViaService", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotStatement(t, rotation.SidUseSecretsKey, func(s *iam.Statement) {
				delete(s.Condition["StringEquals"], "kms:ViaService")
			}))
		}},
		{"encrypting for the master secret", 12, "not the rotator's own secrets", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotStatement(t, rotation.SidDecryptReadSecrets, func(s *iam.Statement) {
				s.Action = iam.Strings{"kms:Decrypt", "kms:GenerateDataKey"}
			}))
		}},
		{"key use on every key", 12, "on *", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotPolicy(t, keyGrant("AnyKey", "kms:GenerateDataKey", "*", contextOf(stripe, true))))
		}},
		{"key use by alias for another secret", 12, "not the rotator's own secrets", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotPolicy(t, keyGrant("ByAlias", "kms:GenerateDataKey", secretsAlias, contextOf(stripe, true))))
		}},
		{"key use by alias without the secret context", 12, "without a kms:EncryptionContext:SecretARN condition", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotPolicy(t, keyGrant("ByAlias", "kms:GenerateDataKey", secretsAlias,
				iam.Conditions{"StringEquals": {"kms:EncryptionContext:aws:lambda:FunctionArn": {databaseFn}}})))
		}},
		{"key use by id outside Secrets Manager", 12, "without kms:ViaService", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotPolicy(t, keyGrant("ById", "kms:Decrypt", secretsKeyID, contextOf(databaseSecret, false))))
		}},
		{"key use through another service", 12, "is not Secrets Manager", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotStatement(t, rotation.SidUseSecretsKey, func(s *iam.Statement) {
				s.Condition["StringEquals"]["kms:ViaService"] = iam.Strings{"s3.eu-west-1.amazonaws.com"}
			}))
		}},
		{"environment key for another function", 12, "aws:lambda:FunctionArn", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotStatement(t, rotation.SidDecryptEnvironment, func(s *iam.Statement) {
				s.Condition["StringEquals"]["kms:EncryptionContext:aws:lambda:FunctionArn"] = iam.Strings{"arn:aws:lambda:eu-west-1:111122223333:function:prod-other"}
			}))
		}},
		{"environment key with a secret's context", 12, "aws:lambda:FunctionArn", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotStatement(t, rotation.SidDecryptEnvironment, func(s *iam.Statement) {
				s.Condition = iam.Conditions{"StringEquals": contextOf(databaseSecret, true)["StringEquals"]}
			}))
		}},
		{"environment key used to encrypt", 12, "only decrypts its environment", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotStatement(t, rotation.SidDecryptEnvironment, func(s *iam.Statement) {
				s.Action = iam.Strings{"kms:Decrypt", "kms:GenerateDataKey"}
			}))
		}},
		{"a key action beyond Decrypt and GenerateDataKey", 12, "needs kms:Decrypt and kms:GenerateDataKey only", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-policy", rotStatement(t, rotation.SidUseSecretsKey, func(s *iam.Statement) {
				s.Action = append(slices.Clone(s.Action), "kms:ReEncryptFrom")
			}))
		}},
		{"a policy inline on the role itself", 12, "not one of the secrets", func() *mockrun.Recording {
			doc, err := iam.New(iam.Statement{Sid: "More", Effect: iam.Allow, Action: iam.Strings{"secretsmanager:GetSecretValue"}, Resource: iam.Strings{stripe}}).JSON()
			require.NoError(t, err)
			return rotBroken(t, rec, kr+"-role", func(r *mockrun.Resource) {
				rotSet(r, "inlinePolicies", []any{map[string]any{"name": "more", "policy": doc}})
			})
		}},
		{"a managed policy named on the role itself", 12, "carries managed policy", func() *mockrun.Recording {
			return rotBroken(t, rec, kr+"-role", func(r *mockrun.Resource) {
				rotSet(r, "managedPolicyArns", []any{"arn:aws:iam::aws:policy/SecretsManagerReadWrite"})
			})
		}},
		{"a key grant whose condition holds without the context", 12, "holds without the encryption context", func() *mockrun.Recording {
			return rotBroken(t, rec, kr+"-policy", rotStatement(t, rotation.SidUseSecretsKey, func(s *iam.Statement) {
				s.Condition = iam.Conditions{"ForAllValues:StringEquals": s.Condition["StringEquals"]}
			}))
		}},
		{"two rotators share a role", 12, "share the role", func() *mockrun.Recording {
			return rotBroken(t, rec, tw+"-function", func(r *mockrun.Resource) { rotSet(r, "role", krFn.Str("role")) })
		}},
		{"a service rotation does not use", 12, "which rotation does not need", func() *mockrun.Recording {
			return rotBroken(t, rec, kr+"-policy", rotPolicy(t, grant("Pass", []string{"iam:PassRole"}, "arn:aws:iam::111122223333:role/admin")))
		}},
		{"logs on every group", 12, "not the function's own log group", func() *mockrun.Recording {
			return rotBroken(t, rec, kr+"-policy", rotStatement(t, rotation.SidOwnLogGroup, func(s *iam.Statement) { s.Resource = iam.Strings{"*"} }))
		}},
		{"a managed policy beyond VPC access", 12, "carries managed policy", func() *mockrun.Recording {
			return rotAdded(t, rec, db+"-vpc-access", kr+"-admin", func(r *mockrun.Resource) {
				rotSet(r, "role", krFn.Str("name"))
				rotSet(r, "policyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
			})
		}},
		// Rule 13: the functions we build.
		{"no reserved concurrency", 13, "reservedConcurrentExecutions = 0", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-function", func(r *mockrun.Resource) { rotSet(r, "reservedConcurrentExecutions", nil) })
		}},
		{"tracing not active", 13, "want Active", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-function", func(r *mockrun.Resource) { rotSet(r, "tracingConfig.mode", "PassThrough") })
		}},
		{"environment with AWS's key", 13, "kmsKeyArn", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-function", func(r *mockrun.Resource) { rotSet(r, "kmsKeyArn", nil) })
		}},
		{"logs kept forever", 13, "retentionInDays = 0", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-logs", func(r *mockrun.Resource) { rotSet(r, "retentionInDays", nil) })
		}},
		{"logs not encrypted with our key", 13, "kmsKeyId", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-logs", func(r *mockrun.Resource) { rotSet(r, "kmsKeyId", nil) })
		}},
		{"no log group", 13, "no log group", func() *mockrun.Recording {
			return rotDropped(t, rec, db+"-logs")
		}},
		{"database rotator outside the VPC", 13, "no VPC subnets", func() *mockrun.Recording {
			return rotBroken(t, rec, db+"-function", func(r *mockrun.Resource) { rotSet(r, "vpcConfig", nil) })
		}},
		// Rule 14: the database.
		{"storage not encrypted", 14, "storageEncrypted", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "storageEncrypted", false) })
		}},
		{"storage with AWS's key", 14, "storage kmsKeyId", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "kmsKeyId", "alias/aws/rds") })
		}},
		{"public", 14, "publiclyAccessible", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "publiclyAccessible", true) })
		}},
		{"no IAM auth", 14, "iamDatabaseAuthenticationEnabled", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "iamDatabaseAuthenticationEnabled", false) })
		}},
		{"no log exports", 14, "enabledCloudwatchLogsExports", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "enabledCloudwatchLogsExports", []any{}) })
		}},
		{"default parameter group", 14, "is not a parameter group of this stack", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "parameterGroupName", "default.postgres16") })
		}},
		{"plain-text connections allowed", 14, "rds.force_ssl is not 1", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-params", func(r *mockrun.Resource) {
				rotSet(r, "parameters", []any{map[string]any{"name": "rds.force_ssl", "value": "0"}})
			})
		}},
		{"no deletion protection", 14, "deletionProtection", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "deletionProtection", false) })
		}},
		{"no final snapshot", 14, "no final snapshot", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "skipFinalSnapshot", true) })
		}},
		{"short backups", 14, "backupRetentionPeriod = 3", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "backupRetentionPeriod", 3) })
		}},
		{"single AZ", 14, "multiAz", func() *mockrun.Recording {
			return rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "multiAz", false) })
		}},
	}
	for _, rule := range []int{2, 11, 12, 13, 14} {
		require.Empty(t, rotViolations(rec, rule), "the committed prod stack must pass rule %d before it is broken", rule)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rotViolations(tt.mutate(), tt.rule)
			require.NotEmpty(t, got, "got no rule %d violation, want one containing %q", tt.rule, tt.want)
			assert.True(t, slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, tt.want) }),
				"got %v, want a violation containing %q", got, tt.want)
		})
	}
	// The original recording was not changed by any of the breaks.
	for _, rule := range []int{2, 11, 12, 13, 14} {
		assert.Empty(t, rotViolations(rec, rule), "got rule %d violations on the untouched recording", rule)
	}
}

func TestDisposableStacksMayTradeDatabaseGuards(t *testing.T) {
	st, err := mockrun.LoadStack("..", "staging")
	require.NoError(t, err)
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	require.False(t, rec.Strict)
	relaxed := rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) {
		rotSet(r, "multiAz", false)
		rotSet(r, "deletionProtection", false)
		rotSet(r, "skipFinalSnapshot", true)
		rotSet(r, "backupRetentionPeriod", 1)
	})
	assert.Empty(t, rotViolations(relaxed, 14), "got rule 14 violations for guards a disposable stack may drop")
	public := rotBroken(t, rec, "database-instance", func(r *mockrun.Resource) { rotSet(r, "publiclyAccessible", true) })
	assert.NotEmpty(t, rotViolations(public, 14), "got no violation for a public database in a disposable stack, want one")
}

func TestRotationExceptionsAreNamed(t *testing.T) {
	want := map[string]int{
		rules.ExceptionManualRotation:   2,
		rules.ExceptionMasterSecretRead: 12,
		rules.ExceptionAdminSecretRead:  12,
	}
	got := map[string]int{}
	for _, e := range rules.Exceptions() {
		if _, ok := want[e.Name]; ok {
			got[e.Name] = e.Rule
			assert.NotEmpty(t, e.Why, "exception %s says why", e.Name)
		}
	}
	assert.Equal(t, want, got, "got exceptions %v, want %v", got, want)
}

// TestAwaitingRotationExceptionAppliesExactlyThere: prod's Twilio rotation
// waits for its admin credential and passes rule 2 through the named
// exception; pointing the output at a secret that is not operator-valued, or
// dropping the output, breaks the rule.
func TestAwaitingRotationExceptionAppliesExactlyThere(t *testing.T) {
	st, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	require.Empty(t, rotViolations(rec, 2), "prod passes rule 2 while the Twilio rotation waits")
	_, deployed := rec.Named("catalog-integrations-twilio-rotation")
	require.False(t, deployed, "prod deploys no Twilio rotation before the admin credential is put")

	with := func(v any) *mockrun.Recording {
		cp := *rec
		cp.Outputs = maps.Clone(rec.Outputs)
		cp.Outputs["rotationsAwaitingPrerequisite"] = mockrun.Output{Value: v, Known: true}
		return &cp
	}
	wrong := with(map[string]any{"/prod/integrations/twilio": map[string]any{"waitsFor": "/prod/app/encryption-key"}})
	assert.True(t, slices.ContainsFunc(rotViolations(wrong, 2), func(v string) bool {
		return strings.Contains(v, "not an operator-valued secret")
	}), "got %v, want the exception refused for a generated secret", rotViolations(wrong, 2))
	dropped := with(map[string]any{})
	assert.True(t, slices.ContainsFunc(rotViolations(dropped, 2), func(v string) bool {
		return strings.Contains(v, "has 0 rotation resources")
	}), "got %v, want a missing rotation without the output", rotViolations(dropped, 2))

	// A rotator whose rotation waits is deployed all the same, and held to
	// rule 12 like any other: its secrets are those it may be invoked for.
	tw, _ := rotServing(t, rec, "/prod/integrations/twilio")
	widened := rotBroken(t, rec, tw+"-policy", rotStatement(t, rotation.SidRotateOwnSecret, func(s *iam.Statement) {
		s.Resource = iam.Strings{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:*"}
	}))
	assert.True(t, slices.ContainsFunc(rotViolations(widened, 12), func(v string) bool {
		return strings.Contains(v, "not one of the secrets")
	}), "got %v, want the waiting rotator's widened role caught", rotViolations(widened, 12))
}
