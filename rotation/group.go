package rotation

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
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
	// {env}-rotate-{strategy}-{settings hash}-{shard}, at most 62 characters.
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
// each settings group into the fewest shards that fit (shard). A secret
// moves to another function only when its settings change, its group gains
// a shard, or its shard is full; its rotation then follows it in place.
// settingsOf gives a secret's settings; fits judges a shard.
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
	// Names carry 64 bits of the settings hash; two settings that still meet
	// would make two functions of one name, which the engine refuses.
	names := map[string]bool{}
	for _, g := range out {
		if names[g.Name] {
			return nil, fmt.Errorf("two rotation groups are named %s: change a setting of one of them", g.Name)
		}
		names[g.Name] = true
	}
	return out, nil
}

// GroupName is {env}-rotate-{strategy}-{first 16 hex of the settings hash}-{shard}
// with the strategy's short name, at most 62 characters for the longest
// environment (20) and shard (2 digits), so the function's name fits Lambda's
// and the role's 64. 64 bits of hash make a name another group's only by a
// search of about 2^64 settings, and Groups refuses a collision. The prefix
// {env}-rotate- is what the alert rules exclude as the stack's own rotators.
func GroupName(env string, s contract.Strategy, settingsKey string, shard int) string {
	return fmt.Sprintf("%s-rotate-%s-%s-%d", env, shortName(s), settingsKey[:16], shard)
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

// shard places members into the fewest shards that all fit, by rendezvous
// hashing with bounded loads: in the order of their names' hashes, each
// member goes to the first shard of its own ranking (rendezvousRanking)
// that still fits it. A member therefore stays where it is unless its group
// gains a shard (then only members the new shard wins move) or a member
// ahead of it in hash order takes its place in a full shard. Within a
// shard, members keep the catalog's order.
func shard(members []config.Secret, fits Fits) ([][]config.Secret, error) {
	for _, s := range members {
		if !fits([]config.Secret{s}) {
			return nil, fmt.Errorf("secret %s alone does not fit one function's limits", s.Name)
		}
	}
	index := map[string]int{}
	for i, s := range members {
		index[s.Name] = i
	}
	order := slices.Clone(members)
	slices.SortFunc(order, func(a, b config.Secret) int { return strings.Compare(nameHash(a.Name), nameHash(b.Name)) })
	for n := minShards(order, fits); n <= maxShards; n++ {
		shards, ok := place(order, n, fits)
		if !ok {
			continue
		}
		for _, ss := range shards {
			slices.SortFunc(ss, func(a, b config.Secret) int { return index[a.Name] - index[b.Name] })
		}
		return shards, nil
	}
	return nil, fmt.Errorf("%d secrets need more than %d functions", len(members), maxShards)
}

// place puts each member of order into the first shard of its ranking
// among n that still fits it; ok is false when one fits none.
func place(order []config.Secret, n int, fits Fits) (shards [][]config.Secret, ok bool) {
	shards = make([][]config.Secret, n)
	for _, s := range order {
		placed := false
		for _, i := range rendezvousRanking(s.Name, n) {
			if cand := append(slices.Clip(shards[i]), s); fits(cand) {
				shards[i], placed = cand, true
				break
			}
		}
		if !placed {
			return nil, false
		}
	}
	return shards, true
}

// planFill is how full, by count, the planned shards are on average: the
// room left lets a group take new secrets without a full shard pushing
// others out, and grow a shard later.
const planFill = 0.9

// minShards is the shards order starts with: its length over planFill of
// the longest prefix of it that fits one function.
func minShards(order []config.Secret, fits Fits) int {
	lo, hi := 1, len(order) // fits(order[:lo]) holds: every member fits alone
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(order[:mid]) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == len(order) {
		return 1 // the whole group fits one function
	}
	return int(math.Ceil(float64(len(order)) / (planFill * float64(lo))))
}

func nameHash(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// rendezvousRanking is the n shards in the order of their hash with the
// name, highest first (highest-random-weight hashing): growing n to n+1
// puts the new shard first only for the names it wins.
func rendezvousRanking(name string, n int) []int {
	scores := make([]uint64, n)
	ranking := make([]int, n)
	for i := range n {
		sum := sha256.Sum256([]byte(strings.Join([]string{name, fmt.Sprint(i)}, "\x00")))
		scores[i], ranking[i] = binary.BigEndian.Uint64(sum[:8]), i
	}
	slices.SortFunc(ranking, func(a, b int) int {
		if scores[a] > scores[b] {
			return -1
		}
		if scores[a] < scores[b] {
			return 1
		}
		return a - b
	})
	return ranking
}
