package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/acme/secrets-platform/rotator/contract"
)

// ErrPlaceholderBehindValue means AWSCURRENT is a placeholder while
// AWSPREVIOUS holds a real value: someone moved AWSCURRENT back to the
// program's first version. Making a fresh value then would start a key ring
// empty or forget a live credential, so the rotation is refused (decision
// D3); move AWSCURRENT back to the real value.
var ErrPlaceholderBehindValue = errors.New("AWSCURRENT is a placeholder while AWSPREVIOUS holds a value; move AWSCURRENT back to the value instead of rotating")

// ErrPendingPlaceholder means AWSPENDING holds a placeholder although
// AWSCURRENT does not; Create never makes one.
var ErrPendingPlaceholder = errors.New("AWSPENDING holds a placeholder")

// markPlaceholder says whether v is a placeholder. A value that was read
// decides; otherwise the PLACEHOLDER label on the version does. A
// placeholder's Value loses the contract.PlaceholderKey marker, so a
// strategy sees only the fields the program put beside it.
func markPlaceholder(v *Version, labels stages) error {
	if v.Value == nil {
		v.Placeholder = labels.has(contract.PlaceholderStage)
		return nil
	}
	v.Placeholder = contract.IsPlaceholder(v.Value)
	if !v.Placeholder {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(v.Value, &fields); err != nil {
		// IsPlaceholder parsed it already; this cannot fail, and its error
		// could quote the value.
		return fmt.Errorf("read placeholder %s: not a JSON object", v.ID)
	}
	delete(fields, contract.PlaceholderKey)
	b, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("read placeholder %s: %w", v.ID, err)
	}
	v.Value = b
	return nil
}

// guardPlaceholder refuses a placeholder AWSCURRENT behind a real
// AWSPREVIOUS. AWSPREVIOUS is read only on that unusual path: a first
// rotation has no AWSPREVIOUS, a later one no placeholder.
func (h *Handler) guardPlaceholder(ctx context.Context, st state, r Rotation) error {
	if !r.Current.Placeholder || st.previous == "" || st.stages[st.previous].has(contract.PlaceholderStage) {
		return nil
	}
	prev, err := h.value(ctx, r.SecretARN, st.previous, StagePrevious)
	if err != nil {
		return fmt.Errorf("get previous value: %w", err)
	}
	if contract.IsPlaceholder(prev) {
		return nil
	}
	return fmt.Errorf("versions %s (AWSCURRENT) and %s (AWSPREVIOUS): %w", r.Current.ID, st.previous, ErrPlaceholderBehindValue)
}
