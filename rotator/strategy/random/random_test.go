package random_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/random"
)

func env(m map[string]string) engine.Deps {
	return engine.Deps{Getenv: func(k string) string { return m[k] }}
}

func TestNewPolicy(t *testing.T) {
	tests := []struct {
		name    string
		length  int
		classes []string
		exclude string
		wantErr string
	}{
		{"defaults", 32, []string{"lower", "upper", "digits", "symbols"}, random.DefaultExclude, ""},
		{"digits only", 16, []string{"digits"}, "", ""},
		{"duplicate class counted once", 16, []string{"digits", "digits"}, "", ""},
		{"too short", 15, []string{"lower"}, "", "length 15"},
		{"too long", random.MaxLength + 1, []string{"lower"}, "", "length"},
		{"unknown class", 32, []string{"emoji"}, "", `"emoji"`},
		{"no class", 32, nil, "", "no character classes"},
		{"class fully excluded", 32, []string{"lower", "digits"}, "0123456789", `"digits"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := random.NewPolicy(tt.length, tt.classes, tt.exclude)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestGenerateMeetsPolicy(t *testing.T) {
	tests := []struct {
		name    string
		length  int
		classes []string
		exclude string
	}{
		{"defaults", 32, []string{"lower", "upper", "digits", "symbols"}, random.DefaultExclude},
		{"hex-like", 16, []string{"digits", "lower"}, "ghijklmnopqrstuvwxyz"},
		{"long alphanumeric", 512, []string{"lower", "upper", "digits"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := random.NewPolicy(tt.length, tt.classes, tt.exclude)
			require.NoError(t, err)
			seen := map[string]bool{}
			used := map[byte]bool{}
			for range 500 {
				v, err := p.Generate(rand.Reader)
				require.NoError(t, err)
				require.NoError(t, p.Check(v), "generated value fails its own policy")
				assert.False(t, strings.ContainsAny(string(v), tt.exclude), "value holds an excluded character")
				assert.False(t, seen[string(v)], "a value repeated")
				seen[string(v)] = true
				for _, c := range v {
					used[c] = true
				}
			}
			allowed := 0
			for _, c := range p.Classes {
				allowed += len(c)
			}
			assert.Equal(t, allowed, len(used), "characters used: got %d, want every allowed one", len(used))
		})
	}
}

func TestCheckRefuses(t *testing.T) {
	p, err := random.NewPolicy(16, []string{"lower", "digits"}, "")
	require.NoError(t, err)
	tests := []struct{ name, v string }{
		{"wrong length", "abc123"},
		{"foreign character", "abcdefgh1234567!"},
		{"missing class", "abcdefghijklmnop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Check([]byte(tt.v))
			require.Error(t, err)
			assert.False(t, strings.Contains(err.Error(), tt.v), "error must not contain the refused value")
		})
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantLen    int
		wantAlpha  string
		wantErr    bool
		wantFields bool
	}{
		{"defaults", nil, random.DefaultLength, "", false, false},
		{"custom", map[string]string{random.EnvLength: "20", random.EnvClasses: "digits, upper", random.EnvExclude: "O0"}, 20, "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ", false, false},
		{"json field", map[string]string{random.EnvField: "password"}, random.DefaultLength, "", false, true},
		{"bad length", map[string]string{random.EnvLength: "long"}, 0, "", true, false},
		{"bad class", map[string]string{random.EnvClasses: "lower,kanji"}, 0, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := random.FromEnv(context.Background(), env(tt.env))
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "random", s.Name())
			cur := engine.Version{ID: "v1", Value: []byte(`{"password":"x"}`)}
			v, err := s.Create(context.Background(), engine.Rotation{Current: cur})
			require.NoError(t, err)
			if tt.wantFields {
				var obj map[string]string
				require.NoError(t, json.Unmarshal(v, &obj))
				v = []byte(obj["password"])
			}
			assert.Len(t, v, tt.wantLen)
			if tt.wantAlpha != "" {
				assert.Empty(t, strings.Trim(string(v), tt.wantAlpha), "characters outside %q", tt.wantAlpha)
			}
			if tt.env[random.EnvExclude] == "" {
				assert.False(t, strings.ContainsAny(string(v), random.DefaultExclude))
			}
		})
	}
}

func TestCreateJSONField(t *testing.T) {
	p, err := random.NewPolicy(24, []string{"lower", "upper", "digits", "symbols"}, random.DefaultExclude)
	require.NoError(t, err)
	s := random.New(p, "password", nil)

	t.Run("rotates the field and keeps the others", func(t *testing.T) {
		cur := `{"username":"app","password":"old-secret-value","port":5432,"opts":{"ssl":true}}`
		v, err := s.Create(context.Background(), engine.Rotation{Current: engine.Version{ID: "v1", Value: []byte(cur)}})
		require.NoError(t, err)
		var got map[string]any
		require.NoError(t, json.Unmarshal(v, &got))
		assert.Equal(t, "app", got["username"])
		assert.Equal(t, float64(5432), got["port"])
		assert.Equal(t, map[string]any{"ssl": true}, got["opts"])
		pw, _ := got["password"].(string)
		assert.False(t, pw == "old-secret-value", "password not rotated, want a new value (not shown)")
		assert.NoError(t, p.Check([]byte(pw)))
	})

	errTests := []struct{ name, cur string }{
		{"not JSON", "old-secret-value"},
		{"JSON but not an object", `["old-secret-value"]`},
		{"field missing", `{"user":"old-secret-value"}`},
		{"field not a string", `{"password":12345678901234567890,"x":"old-secret-value"}`},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Create(context.Background(), engine.Rotation{Current: engine.Version{ID: "v1", Value: []byte(tt.cur)}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "v1")
			assert.False(t, strings.Contains(err.Error(), "old-secret-value"), "error must not contain the secret value")
			assert.False(t, strings.Contains(err.Error(), "12345678901234567890"), "error must not contain the password field")
		})
	}
}

func TestCreateFailsWhenRandomnessFails(t *testing.T) {
	p, err := random.NewPolicy(16, []string{"digits"}, "")
	require.NoError(t, err)
	boom := errors.New("no entropy")
	_, err = random.New(p, "", iotest.ErrReader(boom)).Create(context.Background(), engine.Rotation{})
	assert.ErrorIs(t, err, boom)
}
