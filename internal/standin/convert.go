package standin

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

// wire keeps everything the engine sends: secrets stay secret, unknowns stay
// unknown, archives stay archives.
var wire = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	m, err := plugin.UnmarshalProperties(s, wire)
	if err != nil {
		return nil, fmt.Errorf("read properties: %w", err)
	}
	return m, nil
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	s, err := plugin.MarshalProperties(m, wire)
	if err != nil {
		return nil, fmt.Errorf("write properties: %w", err)
	}
	return s, nil
}

// diffInputs returns the old and the new inputs of a diff request.
func diffInputs(req *pulumirpc.DiffRequest) (resource.PropertyMap, resource.PropertyMap, error) {
	olds, err := unmarshal(oldInputs(req))
	if err != nil {
		return nil, nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, nil, err
	}
	return olds, news, nil
}

// oldInputs returns the inputs the resource was last deployed with, or its
// outputs when the engine sends no inputs (older state).
func oldInputs(req *pulumirpc.DiffRequest) *structpb.Struct {
	if in := req.GetOldInputs(); in != nil && len(in.GetFields()) > 0 {
		return in
	}
	return req.GetOlds()
}
