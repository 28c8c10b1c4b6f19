package rotation

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotator/contract"
)

// Group is the secrets one rotation function serves (decision D1): they
// share a strategy and every setting the function reads, so the function's
// environment holds the settings once and its role lists exactly these
// secrets.
type Group struct {
	// Name names the function, its role and log group:
	// {env}-rotate-{strategy}-{settings hash}-{shard}, at most 64 characters.
	Name string
	// Settings are the function's settings. The admin secret is named by its
	// catalog name here; the function's environment gets its ARN.
	Settings contract.Settings
	// Secrets are the group's secrets, in catalog order.
	Secrets []config.Secret
}

// Fits reports whether a function can serve these secrets within AWS's
// limits (its role's inline policy, its resource policy); Groups adds shards
// until every shard fits.
type Fits func(secrets []config.Secret) bool

// maxShards bounds the search; a group that needs more is refused.
const maxShards = 64

// Groups cuts the rotated secrets into function groups: by settings, then
// each settings group into the fewest shards that fit, a secret going to the
// shard that rendezvous hashing of its name picks among the shard count. A
// secret therefore moves only when its settings change or its group gains a
// shard, and then only to the new shard. settingsOf gives a secret's
// settings; fits judges a shard.
func Groups(env string, secrets []config.Secret, settingsOf func(config.Secret) contract.Settings, fits Fits) ([]Group, error) {
	bySettings := map[string][]config.Secret{}
	settings := map[string]contract.Settings{}
	for _, s := range secrets {
		if !s.Rotation.Strategy.Automatic() {
			continue
		}
		st := settingsOf(s)
		key, err := settingsKey(st)
		if err != nil {
			return nil, fmt.Errorf("rotation group of %s: %w", s.Name, err)
		}
		bySettings[key] = append(bySettings[key], s)
		settings[key] = st
	}
	var out []Group
	for _, key := range slices.Sorted(maps.Keys(bySettings)) {
		members := bySettings[key]
		shards, err := shard(members, fits)
		if err != nil {
			return nil, fmt.Errorf("rotation group %s of %s: %w", key[:8], members[0].Name, err)
		}
		for i, ss := range shards {
			if len(ss) == 0 {
				continue
			}
			out = append(out, Group{Name: GroupName(env, settings[key].Strategy, key, i), Settings: settings[key], Secrets: ss})
		}
	}
	return out, nil
}

// GroupName is {env}-rotate-{strategy}-{first 8 hex of the settings hash}-{shard}
// with the strategy's short name, at most 54 characters for the longest
// environment (20) and shard (2 digits), so the function's name fits Lambda's
// 64. The prefix {env}-rotate- is what the alert rules exclude as the
// stack's own rotators.
func GroupName(env string, s contract.Strategy, settingsKey string, shard int) string {
	return fmt.Sprintf("%s-rotate-%s-%s-%d", env, shortName(s), settingsKey[:8], shard)
}

// shortName keeps the postgres strategies' names short in resource names.
func shortName(s contract.Strategy) string {
	switch s {
	case contract.PostgresSingleUser:
		return "pg-single"
	case contract.PostgresAlternatingUsers:
		return "pg-alternating"
	}
	return string(s)
}

// settingsKey fingerprints the settings: the sorted environment they write.
func settingsKey(s contract.Settings) (string, error) {
	envVars, err := s.Env()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(envVars)) {
		fmt.Fprintf(h, "%s=%s\n", k, envVars[k])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// shard places members into the fewest shards that all fit.
func shard(members []config.Secret, fits Fits) ([][]config.Secret, error) {
	for _, s := range members {
		if !fits([]config.Secret{s}) {
			return nil, fmt.Errorf("secret %s alone does not fit one function's limits", s.Name)
		}
	}
	for n := 1; n <= maxShards; n++ {
		shards := make([][]config.Secret, n)
		for _, s := range members {
			i := rendezvous(s.Name, n)
			shards[i] = append(shards[i], s)
		}
		if !slices.ContainsFunc(shards, func(ss []config.Secret) bool { return len(ss) > 0 && !fits(ss) }) {
			return shards, nil
		}
	}
	return nil, fmt.Errorf("%d secrets need more than %d functions", len(members), maxShards)
}

// rendezvous is the shard, among n, whose hash with the name is highest
// (highest-random-weight hashing): growing n to n+1 moves only the names the
// new shard wins.
func rendezvous(name string, n int) int {
	best, bestScore := 0, uint64(0)
	for i := range n {
		sum := sha256.Sum256([]byte(strings.Join([]string{name, fmt.Sprint(i)}, "\x00")))
		if score := binary.BigEndian.Uint64(sum[:8]); i == 0 || score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}
