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

// TestGroupsMoveOnlyWhatTheyMust: adding a secret that needs no new shard
// moves nobody; a new shard takes secrets only from the others, never moves
// one between old shards.
func TestGroupsMoveOnlyWhatTheyMust(t *testing.T) {
	secrets := catalogOf(30, config.Random)
	before, err := rotation.Groups("prod", secrets, settingsOf, atMost(12))
	require.NoError(t, err)
	extra := catalogOf(31, config.Random)[30]
	after, err := rotation.Groups("prod", append(slices.Clone(secrets), extra), settingsOf, atMost(12))
	require.NoError(t, err)
	was, is := members(before), members(after)
	moved := 0
	for name, g := range was {
		if is[name] != g {
			moved++
			assert.NotContains(t, groupNames(before), is[name], "%s moved from %s to the old shard %s", name, g, is[name])
		}
	}
	if len(groupNames(after)) == len(groupNames(before)) {
		assert.Zero(t, moved, "adding one secret moved %d others without a new shard", moved)
	}
	grown, err := rotation.Groups("prod", secrets, settingsOf, atMost(6))
	require.NoError(t, err)
	for name, g := range members(grown) {
		if g != was[name] {
			assert.NotContains(t, groupNames(before), g, "%s moved between old shards", name)
		}
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
