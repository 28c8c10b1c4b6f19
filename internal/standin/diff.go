package standin

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// diff compares the inputs a resource was deployed with to the new ones, key
// by key, the way a provider without normalisation does: any difference is a
// change (a value unknown during preview included), and a change to a key
// the backend says forces a new resource is a replacement.
func diff(b backend, typ string, olds, news resource.PropertyMap) (*pulumirpc.DiffResponse, error) {
	changed := changedKeys(olds, news)
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true}, nil
	}
	replaces, err := b.replaces(typ, changed)
	if err != nil {
		return nil, err
	}
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, k := range changed {
		kind := pulumirpc.PropertyDiff_UPDATE
		_, had := olds[resource.PropertyKey(k)]
		_, has := news[resource.PropertyKey(k)]
		switch {
		case !had:
			kind = pulumirpc.PropertyDiff_ADD
		case !has:
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if slices.Contains(replaces, k) {
			kind = asReplace[kind]
		}
		detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	return &pulumirpc.DiffResponse{
		Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: replaces,
		DetailedDiff: detailed, HasDetailedDiff: true,
	}, nil
}

// changedKeys lists, sorted, the top-level keys whose values differ.
func changedKeys(olds, news resource.PropertyMap) []string {
	var out []string
	for k, v := range news {
		if o, ok := olds[k]; !ok || !o.DeepEquals(v) {
			out = append(out, string(k))
		}
	}
	for k := range olds {
		if _, ok := news[k]; !ok {
			out = append(out, string(k))
		}
	}
	slices.Sort(out)
	return out
}

// asReplace is the replacing form of each kind of change.
var asReplace = map[pulumirpc.PropertyDiff_Kind]pulumirpc.PropertyDiff_Kind{
	pulumirpc.PropertyDiff_ADD:    pulumirpc.PropertyDiff_ADD_REPLACE,
	pulumirpc.PropertyDiff_DELETE: pulumirpc.PropertyDiff_DELETE_REPLACE,
	pulumirpc.PropertyDiff_UPDATE: pulumirpc.PropertyDiff_UPDATE_REPLACE,
}
