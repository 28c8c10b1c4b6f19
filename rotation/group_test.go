package rotation_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
)

func catalogOf(n int, strategy config.Strategy) []config.Secret {
	out := make([]config.Secret, n)
	for i := range out {
		out[i] = config.Secret{
			Name: fmt.Sprintf("/prod/app/s%03d", i), Group: "app", Short: fmt.Sprintf("s%03d", i), Kind: config.KindPassword,
			Rotation: config.Rotation{Strategy: strategy, Days: 30, Window: time.Hour},
			Password: config.Password{Length: 32},
		}
	}
	return out
}

func settingsOf(s config.Secret) contract.Settings { return rotation.Settings(s, s.AdminSecret, nil) }

func atMost(n int) rotation.Fits { return func(ss []config.Secret) bool { return len(ss) <= n } }

func members(gs []rotation.Group) map[string]string {
	out := map[string]string{}
	for _, g := range gs {
		for _, s := range g.Secrets {
			out[s.Name] = g.Name
		}
	}
	return out
}

func TestGroupsShareSettingsAndFit(t *testing.T) {
	secrets := catalogOf(40, config.Random)
	secrets[3].Password.Length = 48 // other settings: another group
	secrets[5].Rotation = config.Rotation{Strategy: config.Manual, ManualReason: "x"}
	gs, err := rotation.Groups("prod", secrets, settingsOf, atMost(8))
	require.NoError(t, err)
	placed := members(gs)
	assert.Len(t, placed, 39, "every automatic secret in exactly one group, the manual one in none")
	assert.NotContains(t, placed, secrets[5].Name)
	for _, g := range gs {
		assert.LessOrEqual(t, len(g.Secrets), 8, "group %s holds %d secrets, want at most the 8 that fit", g.Name, len(g.Secrets))
		assert.LessOrEqual(t, len(g.Name), 64, "function name %s", g.Name)
		assert.True(t, strings.HasPrefix(g.Name, "prod-rotate-random-"), "got %s, want the prefix the alert rules exclude", g.Name)
		for _, s := range g.Secrets {
			assert.Equal(t, settingsOf(g.Secrets[0]), settingsOf(s), "group %s mixes settings", g.Name)
		}
	}
	assert.NotEqual(t, placed[secrets[0].Name][:28], placed[secrets[3].Name][:28], "a secret with other settings shares a group")
}

// TestGroupsMoveOnlyWhatTheyMust: adding a secret while its group's shards
// have room moves nobody; a new shard takes about its share of the
// secrets, and most stay where they were.
func TestGroupsMoveOnlyWhatTheyMust(t *testing.T) {
	secrets := catalogOf(30, config.Random)
	before, err := rotation.Groups("prod", secrets, settingsOf, atMost(14))
	require.NoError(t, err)
	require.Len(t, before, 3)
	for _, g := range before {
		require.Less(t, len(g.Secrets), 14, "shard %s is full; the test needs room", g.Name)
	}
	extra := catalogOf(31, config.Random)[30]
	after, err := rotation.Groups("prod", append(slices.Clone(secrets), extra), settingsOf, atMost(14))
	require.NoError(t, err)
	was, is := members(before), members(after)
	for name, g := range was {
		assert.Equal(t, g, is[name], "adding %s moved %s", extra.Name, name)
	}

	grown, err := rotation.Groups("prod", secrets, settingsOf, atMost(9))
	require.NoError(t, err)
	require.Len(t, grown, 4)
	moved := 0
	for name, g := range members(grown) {
		if g != was[name] {
			moved++
		}
	}
	assert.Positive(t, moved, "the new shard took no secret")
	assert.LessOrEqual(t, moved, len(secrets)/2, "growing from 3 to 4 shards moved %d of %d secrets", moved, len(secrets))
}

// TestGroupsPlanWithRoom: a group starts with shards planned 90% full on
// average, within one shard of that, so a few new secrets find room.
func TestGroupsPlanWithRoom(t *testing.T) {
	gs, err := rotation.Groups("prod", catalogOf(200, config.Random), settingsOf, atMost(20))
	require.NoError(t, err)
	assert.Contains(t, []int{12, 13}, len(gs), "got %d shards for 200 secrets of at most 20, want 12 (200/(0.9*20)) or one more", len(gs))
	assert.Len(t, members(gs), 200)
}

// TestGroupNamesCarry64BitsOfTheSettings: two settings get two names, each
// with 16 hex digits of the settings hash (8 met in a search of 10^5).
func TestGroupNamesCarry64BitsOfTheSettings(t *testing.T) {
	secrets := catalogOf(2, config.Random)
	secrets[1].Password.Length = 48
	gs, err := rotation.Groups("prod", secrets, settingsOf, atMost(5))
	require.NoError(t, err)
	require.Len(t, gs, 2)
	assert.NotEqual(t, gs[0].Name, gs[1].Name)
	for _, g := range gs {
		assert.Regexp(t, `^prod-rotate-random-[0-9a-f]{16}-0$`, g.Name)
	}
}

func groupNames(gs []rotation.Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Name)
	}
	return out
}

func TestGroupsRefuseWhatNeverFits(t *testing.T) {
	_, err := rotation.Groups("prod", catalogOf(3, config.Random), settingsOf, atMost(0))
	require.Error(t, err)
	assert.ErrorContains(t, err, "alone does not fit")
}

func TestGroupNameFitsWithTheLongestParts(t *testing.T) {
	env := strings.Repeat("e", 20)
	for _, s := range contract.Strategies() {
		n := rotation.GroupName(env, s, strings.Repeat("f", 64), 63)
		assert.LessOrEqual(t, len(n), 64, "%s: %d characters", n, len(n))
	}
}
