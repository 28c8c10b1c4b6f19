package standin

import (
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// randomBackend generates what pulumi-random generates, with crypto/rand.
// The program uses only RandomInteger (a rotation's schedule slot, whose
// range is one number): pulumi-random makes no secret of a strict stack.
type randomBackend struct{}

const typeInteger = "random:index/randomInteger:RandomInteger"

func (r randomBackend) configure(resource.PropertyMap) backend { return r }

// create draws result from [min, max], as random_integer does; its id is the
// result in decimal.
func (randomBackend) create(typ, name string, inputs resource.PropertyMap) (string, resource.PropertyMap, error) {
	if typ != typeInteger {
		return "", nil, unknownType("random", typ)
	}
	lo, hi := intOf(inputs, "min", 0), intOf(inputs, "max", 0)
	if hi < lo {
		return "", nil, fmt.Errorf("generate %s: min %d is greater than max %d", name, lo, hi)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(int64(hi-lo+1)))
	if err != nil {
		return "", nil, fmt.Errorf("generate %s: %w", name, err)
	}
	result := lo + int(n.Int64())
	state := inputs.Copy()
	state["result"] = resource.NewProperty(float64(result))
	return fmt.Sprint(result), state, nil
}

// update keeps what was generated: a generated value changes only by
// replacement.
// read finds nothing to import: the program imports no random resource.
func (randomBackend) read(string, string) (state, inputs resource.PropertyMap, ok bool) {
	return nil, nil, false
}

func (randomBackend) update(_, _ string, olds, news resource.PropertyMap) (resource.PropertyMap, error) {
	state := olds.Copy()
	for k, v := range news {
		state[k] = v
	}
	return state, nil
}

// replaces: every argument of random_integer (keepers, min, max, seed) carries
// a RequiresReplace plan modifier in terraform-provider-random
// (internal/provider/resource_integer.go), which pulumi-random bridges.
func (randomBackend) replaces(_ string, changed []string) ([]string, error) {
	return changed, nil
}

func (randomBackend) invoke(token string, _ resource.PropertyMap) (resource.PropertyMap, error) {
	return nil, fmt.Errorf("the random stand-in has no function %s", token)
}

func intOf(in resource.PropertyMap, k string, def int) int {
	if v, ok := in[resource.PropertyKey(k)]; ok && v.IsNumber() {
		return int(v.NumberValue())
	}
	return def
}
