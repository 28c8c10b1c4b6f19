package random

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
		// 65536 % 4096 == 0: two bytes, big-endian, every value kept.
		{"long shuffle range", 4096, []byte{0x12, 0x34}, 0x1234 % 4096},
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
}

func TestUniformFailsOnShortReader(t *testing.T) {
	_, err := uniform(bytes.NewReader([]byte{255}), 3)
	assert.Error(t, err, "a reader that runs out must fail, not loop or return a biased value")
}
