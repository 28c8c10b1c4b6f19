package standin

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// randomBackend generates what pulumi-random generates, with crypto/rand:
// real random values, so that tests can look for them where they must not be.
type randomBackend struct{}

const (
	typePassword = "random:index/randomPassword:RandomPassword"
	typeBytes    = "random:index/randomBytes:RandomBytes"
)

func (r randomBackend) configure(resource.PropertyMap) backend { return r }

// create fills the generated outputs, secret as pulumi-random's schema marks
// them.
func (randomBackend) create(typ, name string, inputs resource.PropertyMap) (string, resource.PropertyMap, error) {
	state := inputs.Copy()
	switch typ {
	case typePassword:
		pw, err := password(inputs)
		if err != nil {
			return "", nil, fmt.Errorf("generate %s: %w", name, err)
		}
		state["result"] = resource.MakeSecret(resource.NewProperty(pw))
		return "none", state, nil
	case typeBytes:
		raw := make([]byte, intOf(inputs, "length", 32))
		if _, err := rand.Read(raw); err != nil {
			return "", nil, fmt.Errorf("generate %s: %w", name, err)
		}
		state["base64"] = resource.MakeSecret(resource.NewProperty(base64.StdEncoding.EncodeToString(raw)))
		state["hex"] = resource.MakeSecret(resource.NewProperty(hex.EncodeToString(raw)))
		return "none", state, nil
	}
	return "", nil, unknownType("random", typ)
}

// update keeps what was generated: a generated value changes only by
// replacement.
func (randomBackend) update(_, _ string, olds, news resource.PropertyMap) (resource.PropertyMap, error) {
	state := olds.Copy()
	for k, v := range news {
		state[k] = v
	}
	return state, nil
}

// replaces: every argument of random_password and random_bytes carries a
// RequiresReplace plan modifier in terraform-provider-random
// (internal/provider/resource_password.go, resource_bytes.go), which
// pulumi-random bridges.
func (randomBackend) replaces(_ string, changed []string) ([]string, error) {
	return changed, nil
}

func (randomBackend) invoke(token string, _ resource.PropertyMap) (resource.PropertyMap, error) {
	return nil, fmt.Errorf("the random stand-in has no function %s", token)
}

// password draws length characters from the enabled classes, at least the
// minimum of each, in random order.
func password(in resource.PropertyMap) (string, error) {
	classes := []struct {
		on    bool
		chars string
		min   int
	}{
		{boolOf(in, "lower", true), "abcdefghijklmnopqrstuvwxyz", intOf(in, "minLower", 0)},
		{boolOf(in, "upper", true), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", intOf(in, "minUpper", 0)},
		{boolOf(in, "numeric", true), "0123456789", intOf(in, "minNumeric", 0)},
		{boolOf(in, "special", true), specialOf(in), intOf(in, "minSpecial", 0)},
	}
	n := intOf(in, "length", 16)
	var all string
	var out []byte
	for _, c := range classes {
		if !c.on || c.chars == "" {
			continue
		}
		all += c.chars
		for range c.min {
			b, err := pick(c.chars)
			if err != nil {
				return "", err
			}
			out = append(out, b)
		}
	}
	for len(out) < n {
		b, err := pick(all)
		if err != nil {
			return "", err
		}
		out = append(out, b)
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func pick(chars string) (byte, error) {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
	if err != nil {
		return 0, err
	}
	return chars[i.Int64()], nil
}

// specialOf is overrideSpecial, or pulumi-random's default special set.
func specialOf(in resource.PropertyMap) string {
	if v, ok := in["overrideSpecial"]; ok && v.IsString() {
		return v.StringValue()
	}
	return "!@#$%&*()-_=+[]{}<>:?"
}

func intOf(in resource.PropertyMap, k string, def int) int {
	if v, ok := in[resource.PropertyKey(k)]; ok && v.IsNumber() {
		return int(v.NumberValue())
	}
	return def
}

func boolOf(in resource.PropertyMap, k string, def bool) bool {
	if v, ok := in[resource.PropertyKey(k)]; ok && v.IsBool() {
		return v.BoolValue()
	}
	return def
}
