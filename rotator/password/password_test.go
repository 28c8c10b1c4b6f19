package password

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
)

func TestNewRefusesShapesItCannotMeet(t *testing.T) {
	tests := []struct {
		name    string
		shape   contract.PasswordShape
		also    string
		wantErr string
	}{
		{name: "defaults", shape: contract.PasswordShape{}},
		{name: "config bounds", shape: contract.PasswordShape{Length: 128, ExcludeCharacters: "/@\" "}},
		{name: "too short", shape: contract.PasswordShape{Length: 15}, wantErr: "password length 15: want 16 to 128"},
		{name: "too long", shape: contract.PasswordShape{Length: 129}, wantErr: "password length 129"},
		{name: "alphabet too small", shape: contract.PasswordShape{ExcludeCharacters: classes[0] + classes[1] + classes[3]},
			wantErr: "characters left after exclusions, want at least 32"},
		{name: "alphabet too small with the strategy's own exclusions", shape: contract.PasswordShape{ExcludeCharacters: classes[0] + classes[3]},
			also: classes[1], wantErr: "want at least 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.shape, tt.also)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestGenerateMeetsTheShape(t *testing.T) {
	tests := []struct {
		name      string
		shape     contract.PasswordShape
		also      string
		wantLen   int
		forbidden string
	}{
		{name: "defaults", wantLen: DefaultLength, forbidden: DefaultExclude},
		{name: "config's own exclusions replace the default", shape: contract.PasswordShape{Length: 20, ExcludeCharacters: "O0Il1"},
			wantLen: 20, forbidden: "O0Il1"},
		{name: "a strategy's exclusions add to the default", also: "!#", wantLen: DefaultLength, forbidden: DefaultExclude + "!#"},
		{name: "no symbols at all", shape: contract.PasswordShape{Length: 64, ExcludeCharacters: classes[3]}, wantLen: 64, forbidden: classes[3]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.shape, tt.also)
			require.NoError(t, err)
			seen := map[string]bool{}
			used := map[byte]bool{}
			for range 500 {
				pw, err := g.Generate()
				require.NoError(t, err)
				assert.Len(t, pw, tt.wantLen)
				assert.False(t, strings.ContainsAny(pw, tt.forbidden), "a password holds an excluded character (not shown)")
				for i, c := range g.classes {
					assert.True(t, strings.ContainsAny(pw, c), "a password lacks class %d (not shown)", i)
				}
				assert.False(t, seen[pw], "a password repeated")
				seen[pw] = true
				for i := range len(pw) {
					used[pw[i]] = true
				}
			}
			assert.Len(t, used, len(g.all), "characters used: got %d, want every one of the %d allowed", len(used), len(g.all))
		})
	}
}

func TestGenerateFailsWhenRandomnessFails(t *testing.T) {
	g, err := New(contract.PasswordShape{}, "")
	require.NoError(t, err)
	boom := errors.New("no entropy")
	g.rand = iotest.ErrReader(boom)
	_, err = g.Generate()
	assert.ErrorIs(t, err, boom)
}

func TestUniformRejectsBiasedBytes(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		bytes []byte
		want  int
	}{
		// 256 % 3 == 1: byte 255 would favour 0, so it is skipped.
		{"skips the uneven tail", 3, []byte{255, 4}, 1},
		{"keeps the last even byte", 3, []byte{254}, 254 % 3},
		{"power of two takes every byte", 16, []byte{255}, 15},
		// 256 % 94 == 68: bytes 188..255 are rejected.
		{"symbols-size set", 94, []byte{188, 255, 187}, 187 % 94},
		// 65536 % 300 == 136: values 65400 and up are rejected.
		{"wide range rejects its tail", 300, []byte{0xff, 0x78, 0x00, 0x07}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := uniform(bytes.NewReader(tt.bytes), tt.n)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := uniform(bytes.NewReader([]byte{255}), 3)
	assert.Error(t, err, "a reader that runs out must fail, not loop or return a biased value")
}
