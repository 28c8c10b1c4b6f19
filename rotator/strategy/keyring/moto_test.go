package keyring_test

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/keyring"
	ring "github.com/acme/secrets-platform/secretcache/keyring"
)

// encrypted is application data written while a given key was active.
type encrypted struct {
	keyID      string
	plaintext  string
	ciphertext []byte
}

func TestThreeRotationsKeepEveryKey(t *testing.T) {
	env := rotatortest.New(t)
	first := map[string]string{
		"bootstrap ring":  string(bootstrap()),
		"legacy bare key": base64.StdEncoding.EncodeToString(key(1)),
	}
	for name, value := range first {
		t.Run(name, func(t *testing.T) {
			sec := env.CreateSecret(t, "/test/keyring/"+rotatortest.NewToken()[:8], value)
			s, err := keyring.New(contract.Ring{}, nil, nil, nil)
			require.NoError(t, err)
			calls := rotatortest.NewCounter()
			h := engine.NewHandler(env.Client(calls), s, rotatortest.Logger(t))

			var data []encrypted
			write := func(i int) {
				r, err := ring.Parse([]byte(env.Current(t, sec.ARN).Value))
				require.NoError(t, err)
				pt := fmt.Sprintf("record written before rotation %d", i)
				c, err := r.Encrypt([]byte(pt), []byte(sec.Name))
				require.NoError(t, err)
				data = append(data, encrypted{r.Active(), pt, c})
			}

			for i := 1; i <= 3; i++ {
				write(i)
				before := env.Current(t, sec.ARN)
				calls.Reset()
				token := env.Rotate(t, h, sec.ARN)
				env.AssertRotated(t, sec.ARN, before, token)
				assert.Equal(t, 10, calls.Total(), "rotation %d: keyring reads both rings in testSecret: %v", i, calls.Counts())
			}
			write(4)

			final, err := ring.Parse([]byte(env.Current(t, sec.ARN).Value))
			require.NoError(t, err)
			assert.Equal(t, 4, final.Len(), "k1 plus one key per rotation")
			ids := map[string]bool{}
			for _, d := range data {
				ids[d.keyID] = true
				got, err := final.Decrypt(d.ciphertext, []byte(sec.Name))
				if assert.NoError(t, err, "data under %s", d.keyID) {
					assert.Equal(t, d.plaintext, string(got))
				}
			}
			assert.Len(t, ids, 4, "each write used the key active at the time")
		})
	}
}

func TestRetirementThroughARotation(t *testing.T) {
	env := rotatortest.New(t)
	sec := env.CreateSecret(t, "/test/keyring/retire", string(bootstrap()))
	grow, err := keyring.New(contract.Ring{}, nil, nil, nil)
	require.NoError(t, err)
	env.Rotate(t, engine.NewHandler(env.Client(nil), grow, rotatortest.Logger(t)), sec.ARN)

	retire, err := keyring.New(contract.Ring{Retire: []string{"k1"}}, nil, nil, nil)
	require.NoError(t, err)
	before := env.Current(t, sec.ARN)
	token := env.Rotate(t, engine.NewHandler(env.Client(nil), retire, rotatortest.Logger(t)), sec.ARN)
	env.AssertRotated(t, sec.ARN, before, token)

	now, err := ring.Parse([]byte(env.Current(t, sec.ARN).Value))
	require.NoError(t, err)
	prev, err := ring.Parse([]byte(env.Value(t, sec.ARN, before.ID, engine.StagePrevious).Value))
	require.NoError(t, err)
	assert.False(t, now.Has("k1"), "k1 retired from AWSCURRENT")
	assert.True(t, prev.Has("k1"), "AWSPREVIOUS still holds k1 until the next rotation, as the recovery path")
	assert.Equal(t, 2, now.Len())
}
