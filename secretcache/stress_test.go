package secretcache

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestConcurrentUseIsRaceFree mixes hits, misses, background refreshes,
// failures, evictions and invalidations on many goroutines; it exists for
// the race detector, and checks that every answer is a value of the secret.
func TestConcurrentUseIsRaceFree(t *testing.T) {
	api := newStub()
	const secrets = 20
	for i := range secrets {
		api.set("s"+strconv.Itoa(i), StageCurrent, "val-s"+strconv.Itoa(i))
	}
	c, clk := newTestCache(t, api, 0, func(o *Options) { o.MaxEntries = 8 })

	var wrong atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := "s" + strconv.Itoa((g*7+i)%secrets)
				got, err := c.GetString(t.Context(), id)
				if err == nil && got != "val-"+id {
					wrong.Add(1)
				}
				if i%50 == 0 {
					c.Invalidate(id)
				}
			}
		})
	}
	for i := range 200 {
		clk.Advance(20 * time.Second)
		if i%20 == 0 {
			api.setErr(errors.New("throttled"))
		} else if i%20 == 5 {
			api.setErr(nil)
		}
		time.Sleep(100 * time.Microsecond)
	}
	close(stop)
	wg.Wait()
	assert.Zero(t, wrong.Load(), "reads that returned another secret's value")
	assert.LessOrEqual(t, len(c.tab.Load().cur), 8, "entries within MaxEntries")
	assert.NotZero(t, c.Stats().Evictions, "the mix must have evicted")
}
