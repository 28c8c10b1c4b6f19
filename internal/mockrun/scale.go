package mockrun

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// ScaleStack writes, in dir, a project with a stack of secrets secrets and
// workloads workloads derived from base (its account, region, keys and
// database sizing), and loads it as the engine would: the catalog lives in
// catalog files beside the stack file, so PULUMI_CONFIG stays small.
//
// The mix covers every kind and every Go strategy with a realistic spread of
// settings (two password lengths, three key APIs behind three admin
// credentials, one Twilio account, key rings of which two are retiring keys,
// one database), and about a fifth manual secrets whose values operators
// put. Workloads are ECS services (half inject a manual secret at start),
// Lambda functions and existing roles, each reading up to 20 secrets.
func ScaleStack(base Stack, dir string, secrets, workloads int) (Stack, error) {
	env := base.Config[base.Project+":environment"]
	if env == "" {
		env = base.Name
	}
	var accounts []string
	if err := json.Unmarshal([]byte(base.Config["aws:allowedAccountIds"]), &accounts); err != nil || len(accounts) == 0 {
		return Stack{}, fmt.Errorf("scale stack: aws:allowedAccountIds must name the account")
	}
	catalog, manual := scaleSecrets(env, secrets)
	var names []string
	for _, s := range catalog {
		names = append(names, s["name"].(string))
	}
	wls := scaleWorkloads(env, accounts[0], names, manual, workloads)

	files := map[string]any{}
	var paths []string
	const perFile = 250
	for i := 0; i < len(catalog); i += perFile {
		p := fmt.Sprintf("catalog/secrets-%02d.yaml", i/perFile)
		files[p] = map[string]any{"secrets": catalog[i:min(i+perFile, len(catalog))]}
		paths = append(paths, p)
	}
	files["catalog/workloads.yaml"] = map[string]any{"workloads": wls}
	paths = append(paths, "catalog/workloads.yaml")

	projectFile, err := os.ReadFile(filepath.Join(base.Dir, "Pulumi.yaml"))
	if err != nil {
		return Stack{}, fmt.Errorf("scale stack: %w", err)
	}
	stackConfig := map[string]any{}
	for k, v := range base.Config {
		var decoded any
		if json.Unmarshal([]byte(v), &decoded) != nil {
			decoded = v
		}
		stackConfig[k] = decoded
	}
	var db map[string]any
	if err := json.Unmarshal([]byte(base.Config[base.Project+":database"]), &db); err != nil {
		return Stack{}, fmt.Errorf("scale stack: read database: %w", err)
	}
	db["secretName"] = "/" + env + "/data/database"
	// The generated catalog has one database secret: no migration login.
	delete(db, "migration")
	stackConfig[base.Project+":database"] = db
	stackConfig[base.Project+":catalogFiles"] = paths
	for _, k := range []string{"secrets", "workloads", "crossAccount"} {
		delete(stackConfig, base.Project+":"+k)
	}
	stackConfig[base.Project+":secrets"] = []any{}
	name := base.Name + "-scale"
	files["Pulumi."+name+".yaml"] = map[string]any{"config": stackConfig}

	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), projectFile, 0o644); err != nil {
		return Stack{}, fmt.Errorf("scale stack: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "catalog"), 0o755); err != nil {
		return Stack{}, fmt.Errorf("scale stack: %w", err)
	}
	for p, doc := range files {
		b, err := yaml.Marshal(doc)
		if err != nil {
			return Stack{}, fmt.Errorf("scale stack: %s: %w", p, err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), b, 0o644); err != nil {
			return Stack{}, fmt.Errorf("scale stack: %w", err)
		}
	}
	return LoadStack(dir, name)
}

// scaleSecrets is the catalog of n secrets in the mix ScaleStack describes,
// and the names of the manual secrets (which a workload may inject at start).
func scaleSecrets(env string, n int) (out []map[string]any, manual []string) {
	add := func(s map[string]any) { out = append(out, s) }
	name := func(group string, i int) string { return fmt.Sprintf("/%s/%s/s%04d", env, group, i) }
	reason := "The provider issues keys in its dashboard only. Runbook docs/runbooks/roll-manual-key.md"
	add(map[string]any{"name": "/" + env + "/data/database", "description": "app database", "kind": "database"})
	for a := range 3 {
		add(map[string]any{"name": fmt.Sprintf("/%s/keys/api%d-admin", env, a), "description": "key API admin", "kind": "json",
			"valuePut": true, "rotation": map[string]any{"strategy": "manual", "manualReason": reason}})
	}
	add(map[string]any{"name": "/" + env + "/keys/twilio-admin", "description": "Twilio admin", "kind": "json",
		"valuePut": true, "rotation": map[string]any{"strategy": "manual", "manualReason": reason}})
	for i := 0; len(out) < n; i++ {
		s := map[string]any{"description": "generated", "name": name(fmt.Sprintf("g%02d", i%40), i)}
		switch k := i % 20; {
		case k < 9: // 45%: generated passwords, a tenth of them longer
			s["kind"] = "password"
			if i%10 == 0 {
				s["password"] = map[string]any{"length": 48}
			}
		case k < 11: // 10%: random strings
			s["kind"], s["rotation"] = "string", map[string]any{"strategy": "random"}
		case k < 12: // 5%: key rings, two of them retiring a key
			s["kind"] = "keyring"
			if i < 40 {
				s["keyring"] = map[string]any{"retireKeys": []string{fmt.Sprintf("k%d", i)}}
			}
		case k < 15: // 15%: keys behind one of three key APIs
			api := i % 3
			s["kind"], s["adminSecret"], s["keyApiBaseUrl"] = "json", fmt.Sprintf("/%s/keys/api%d-admin", env, api), fmt.Sprintf("https://keys%d.example.com/v1", api)
			s["rotation"] = map[string]any{"strategy": "http", "days": 30}
		case k < 16: // 5%: Twilio keys
			s["kind"], s["adminSecret"] = "json", "/"+env+"/keys/twilio-admin"
			s["rotation"] = map[string]any{"strategy": "twilio", "days": 30}
		default: // 20%: manual third-party values
			s["kind"], s["rotation"] = "string", map[string]any{"strategy": "manual", "manualReason": reason}
			manual = append(manual, s["name"].(string))
		}
		add(s)
	}
	return out, manual
}

// scaleWorkloads is n workloads of the three kinds, each reading up to 20
// secrets of the catalog (never an admin credential).
func scaleWorkloads(env, account string, names, manual []string, n int) []map[string]any {
	var readable []string
	for _, s := range names {
		if filepath.Dir(s) != "/"+env+"/keys" {
			readable = append(readable, s)
		}
	}
	var out []map[string]any
	for i := range n {
		var secrets []string
		for j := range 1 + i%20 {
			secrets = append(secrets, readable[(i*37+j*101)%len(readable)])
		}
		w := map[string]any{"name": fmt.Sprintf("w%03d", i), "secrets": dedupe(secrets)}
		switch i % 4 {
		case 0, 1:
			w["type"] = "ecs"
			if i%4 == 0 && len(manual) > 0 {
				inject := manual[i%len(manual)]
				w["secrets"] = dedupe(append(w["secrets"].([]string), inject))
				w["injectAtStart"] = []string{inject}
			}
		case 2:
			w["type"] = "lambda"
		default:
			w["type"], w["roleArn"] = "role", fmt.Sprintf("arn:aws:iam::%s:role/team-%03d", account, i)
		}
		out = append(out, w)
	}
	return out
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
