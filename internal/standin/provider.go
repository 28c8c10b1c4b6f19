package standin

import (
	"context"
	"fmt"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// backend is what differs between the aws and the random stand-in.
type backend interface {
	// configure returns the backend for the provider's config (region,
	// accounts, ...); backends are values, never changed in place.
	configure(cfg resource.PropertyMap) backend
	// create returns the id and state of a new resource.
	create(typ, name string, inputs resource.PropertyMap) (string, resource.PropertyMap, error)
	// update returns the state after an in-place update to news.
	update(typ, name string, olds, news resource.PropertyMap) (resource.PropertyMap, error)
	// replaces returns which of the changed input keys force a replacement.
	replaces(typ string, changed []string) ([]string, error)
	// invoke answers a provider function.
	invoke(token string, args resource.PropertyMap) (resource.PropertyMap, error)
	// read returns what an existing resource reports when it is imported;
	// ok is false when there is none.
	read(typ, id string) (state, inputs resource.PropertyMap, ok bool)
}

// Provider is the plugin's gRPC server. Methods the engine does not need for
// preview, update, refresh and destroy are left unimplemented.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer

	version string
	mu      sync.Mutex // guards b, which Configure replaces
	b       backend
}

// NewAWS returns the stand-in for pulumi-aws; version is the plugin version
// the program's SDK asks for (pulumi-aws/sdk's version in go.mod).
func NewAWS(version string) *Provider { return &Provider{version: version, b: awsBackend{}} }

// NewRandom returns the stand-in for pulumi-random.
func NewRandom(version string) *Provider { return &Provider{version: version, b: randomBackend{}} }

func (p *Provider) backend() backend {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.b
}

// GetPluginInfo reports the version the engine asked for, so it loads this
// plugin without a version warning and never looks for a download.
func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.version}, nil
}

// CheckConfig accepts the provider config as given.
func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig reports a config change as an update of the provider, never a
// replacement (a replaced provider would replace every resource it manages).
func (p *Provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news, err := diffInputs(req)
	if err != nil {
		return nil, err
	}
	delete(olds, "version")
	delete(news, "version")
	changed := changedKeys(olds, news)
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed}, nil
}

// Configure takes the provider config and says the stand-in handles secrets,
// previews and resource references itself.
func (p *Provider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	cfg, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.b = p.b.configure(cfg)
	p.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

// Check accepts every resource's inputs as given.
func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// Diff compares the old inputs with the new ones (see diff).
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news, err := diffInputs(req)
	if err != nil {
		return nil, err
	}
	return diff(p.backend(), resource.URN(req.GetUrn()).Type().String(), olds, news)
}

// Create returns the inputs during a preview (what AWS computes is unknown
// until it exists) and the inputs plus AWS's outputs otherwise.
func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if req.GetPreview() {
		return &pulumirpc.CreateResponse{Properties: req.GetProperties()}, nil
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	urn := resource.URN(req.GetUrn())
	id, state, err := p.backend().create(urn.Type().String(), urn.Name(), inputs)
	if err != nil {
		return nil, err
	}
	props, err := marshal(state)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

// Read returns the state it is given: nothing changes outside the program.
// An import (an id and no state) gets what the existing resource reports.
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if len(req.GetProperties().GetFields()) > 0 || req.GetId() == "" {
		return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
	}
	state, inputs, ok := p.backend().read(resource.URN(req.GetUrn()).Type().String(), req.GetId())
	if !ok {
		return &pulumirpc.ReadResponse{}, nil // not found
	}
	props, err := marshal(state)
	if err != nil {
		return nil, err
	}
	in, err := marshal(inputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: props, Inputs: in}, nil
}

// Update returns the new inputs with the outputs kept (preview) or computed
// again for the new inputs.
func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	urn := resource.URN(req.GetUrn())
	var state resource.PropertyMap
	if req.GetPreview() {
		oldIn, err := unmarshal(req.GetOldInputs())
		if err != nil {
			return nil, err
		}
		state = keepOutputs(olds, oldIn, news)
	} else if state, err = p.backend().update(urn.Type().String(), urn.Name(), olds, news); err != nil {
		return nil, err
	}
	props, err := marshal(state)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// Delete always succeeds.
func (p *Provider) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// Invoke answers a provider function, or fails naming it.
func (p *Provider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	ret, err := p.backend().invoke(req.GetTok(), args)
	if err != nil {
		return nil, err
	}
	out, err := marshal(ret)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: out}, nil
}

// Cancel has nothing to stop: every call returns at once.
func (p *Provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// keepOutputs is the planned state of an in-place update: the new inputs and
// the old outputs that are not inputs (AWS keeps ids and ARNs on update).
func keepOutputs(olds, oldInputs, news resource.PropertyMap) resource.PropertyMap {
	state := olds.Copy()
	for k := range oldInputs {
		delete(state, k)
	}
	for k, v := range news {
		state[k] = v
	}
	return state
}

func unknownType(pkg, typ string) error {
	return fmt.Errorf("the %s stand-in has no resource type %s", pkg, typ)
}
