package mockrun

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/internal/awsshape"
)

// mocks answers registrations and invokes the way AWS would, with realistic
// ids and ARNs (secret ARNs carry the six-character suffix real ones have),
// and records every registration.
type mocks struct {
	project, stack string
	env            awsshape.Env

	mu        sync.Mutex
	resources []Resource
	urns      map[string]bool
	// providers are the explicit AWS providers' environments, by URN: a
	// replica region's provider deploys there, another account's into it.
	providers map[string]awsshape.Env
}

// newMocks answers as the account the stack may deploy into (the first of
// aws:allowedAccountIds, as the provider would find it) in the stack's region.
func newMocks(st Stack) *mocks {
	m := &mocks{project: st.Project, stack: st.Name, urns: map[string]bool{}, providers: map[string]awsshape.Env{},
		env: awsshape.Env{Account: awsshape.DefaultAccount, Region: st.Config["aws:region"]}}
	var allowed []string
	if err := json.Unmarshal([]byte(st.Config["aws:allowedAccountIds"]), &allowed); err == nil && len(allowed) > 0 {
		m.env.Account = allowed[0]
	}
	if m.env.Region == "" {
		m.env.Region = "us-east-1"
	}
	return m
}

// NewResource records a registration and returns its id and state.
func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	env := m.envOf(args.Provider)
	id, state := m.fill(args.TypeToken, args.Name, args.ID, args.Inputs, env)
	res := Resource{
		Type: args.TypeToken, Name: args.Name, Custom: args.Custom,
		Inputs: args.Inputs, State: state, Provider: args.Provider, Region: env.Region,
	}
	if args.ReadRPC == nil {
		// A registration with an id imports; a read (a stack reference)
		// only looks.
		res.ImportID = args.ID
	}
	if rpc := args.RegisterRPC; rpc != nil {
		res.Parent = rpc.GetParent()
		res.Protect = rpc.GetProtect()
		res.RetainOnDelete = rpc.GetRetainOnDelete()
		res.IgnoreChanges = rpc.GetIgnoreChanges()
		res.AdditionalSecretOutputs = rpc.GetAdditionalSecretOutputs()
		res.DependsOn = rpc.GetDependencies()
		res.URN = m.urnOf(rpc.GetParent(), args.TypeToken, args.Name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// The engine refuses a second resource of one URN; so do the mocks.
	if res.URN != "" && m.urns[res.URN] {
		return "", nil, fmt.Errorf("duplicate resource URN %s: the engine refuses two resources of one name and parent", res.URN)
	}
	m.urns[res.URN] = true
	m.resources = append(m.resources, res)
	if args.TypeToken == TypeAWSProvider {
		m.providers[res.URN] = awsshape.ProviderEnv(args.Inputs, m.env)
	}
	return id, state, nil
}

// envOf is where a resource of the provider reference ref ("urn::id")
// deploys: its explicit provider's environment, else the stack's.
func (m *mocks) envOf(ref string) awsshape.Env {
	m.mu.Lock()
	defer m.mu.Unlock()
	for urn, env := range m.providers {
		if strings.HasPrefix(ref, urn+"::") {
			return env
		}
	}
	return m.env
}

// Call answers the invokes the program makes, as the engine tests' stand-in
// provider does (internal/awsshape).
func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return awsshape.Invoke(args.Token, args.Args, m.env)
}

// fill returns the physical id and the state the provider reports: what AWS
// computes comes from internal/awsshape, the one table the engine tests'
// stand-in provider uses too; pulumi-random's results are fixed so that a
// recording is the same every run. An imported resource (importID) keeps
// its identity.
func (m *mocks) fill(typ, name, importID string, inputs resource.PropertyMap, env awsshape.Env) (string, resource.PropertyMap) {
	if typ == "random:index/randomInteger:RandomInteger" {
		// The program uses it as a stored slot whose range is one number.
		state := inputs.Copy()
		state["result"] = resource.NewPropertyValue(state["min"].V)
		id := fmt.Sprint(state["result"].V)
		state["id"] = resource.NewPropertyValue(id)
		return id, state
	}
	id, state := awsshape.Outputs(typ, name, inputs, env)
	if importID != "" {
		// Pulumi's import option: the resource keeps the identity it has.
		id, state = awsshape.Imported(typ, name, importID, inputs, env)
	}
	state["id"] = resource.NewPropertyValue(id)
	return id, state
}

// urnOf computes the URN the mock monitor gives a resource, so a child's
// Parent can be matched to its parent's URN.
func (m *mocks) urnOf(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), parentType, tokens.Type(typ), name))
}
