package rotatortest

import (
	"sync"
	"time"
)

// Clock is the wall clock moved forward by the test, to hand to the code under
// test as its now: the switch label finishSecret writes and the grace
// sweeper compares with come from it, so moving it past a grace period is
// what makes a key's grace expire. It is safe for concurrent use; the zero
// value is the wall clock.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the wall clock's time plus every Advance so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
