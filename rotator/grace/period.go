package grace

import "time"

// DefaultPeriod is the grace when the function's settings give none
// (contract.KeyAPI.Grace zero). It leaves a wide margin over the 20m30s a
// client with the platform's cache defaults can keep a key (5m TTL, its
// jitter, 15m stale), because revoking too early breaks production while
// revoking late costs nothing. Stack config refuses a grace shorter than what
// its cache settings allow.
const DefaultPeriod = time.Hour
