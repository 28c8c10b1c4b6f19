// Package cost estimates a stack's monthly AWS bill from its config.
//
// The list prices are constants dated by PricesAsOf so a reviewer can tell
// how stale they are; the estimate is a stack output and is printed by the
// offline plan, so a config change shows its cost in review.
package cost
