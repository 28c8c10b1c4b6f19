package rotation

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
)

// Schedule is the rotation schedule of a secret rotated every r.Days days,
// placed by its slot so that a catalog's rotations do not all start at
// midnight UTC, which is when a rate() schedule's window opens, against one
// database or one provider.
//
// The slot picks the hour the window opens (0 to 24-window, so the window
// ends within the UTC day as Secrets Manager requires), round robin. A period
// under 31 days is cron(0 H 1/N * ? *): every N days from the 1st, which
// leaves at most N days between two rotations across a month's end too. A
// longer period rotates monthly (at most 31 days apart) on a day the slot
// also staggers. A schedule expression from config is kept as written.
func Schedule(r config.Rotation, slot int) string {
	if r.ScheduleExpression != "" {
		return r.ScheduleExpression
	}
	hours := 25 - windowHours(r)
	hour := slot % hours
	if r.Days < 31 {
		return fmt.Sprintf("cron(0 %d 1/%d * ? *)", hour, r.Days)
	}
	day := 1 + (slot/hours)%28
	return fmt.Sprintf("cron(0 %d %d * ? *)", hour, day)
}

// newScheduleSlot keeps a rotated secret's schedule slot stable for the
// secret's life: the slot it gets when first deployed is stored in the stack's
// state by a RandomInteger whose range is that one number, and never
// recomputed (ignoreChanges), so adding or removing other secrets never moves
// its window. Slots handed out in turn put at most ⌈n/hours⌉ windows in an hour.
func newScheduleSlot(ctx *pulumi.Context, name string, slot int, parent pulumi.ResourceOption) (pulumi.IntOutput, error) {
	r, err := random.NewRandomInteger(ctx, name+"-slot", &random.RandomIntegerArgs{
		Min: pulumi.Int(slot), Max: pulumi.Int(slot),
	}, parent, pulumi.IgnoreChanges([]string{"min", "max"}))
	if err != nil {
		return pulumi.IntOutput{}, fmt.Errorf("schedule slot of %s: %w", name, err)
	}
	return r.Result, nil
}

// Rules turns a secret's rotation settings and its slot into Secrets
// Manager's rotation rules.
func Rules(r config.Rotation, slot pulumi.IntInput) *secretsmanager.SecretRotationRotationRulesArgs {
	return &secretsmanager.SecretRotationRotationRulesArgs{
		ScheduleExpression: slot.ToIntOutput().ApplyT(func(n int) string { return Schedule(r, n) }).(pulumi.StringOutput),
		Duration:           pulumi.String(fmt.Sprintf("%dh", windowHours(r))),
	}
}

// windowHours is the rotation window in whole hours (config allows 1h-24h
// in whole hours; Secrets Manager's unit is the hour).
func windowHours(r config.Rotation) int {
	h := int(r.Window.Hours())
	if h < 1 {
		h = 1
	}
	return h
}

// RotateImmediately reports whether the rotation runs when it is created. It
// does for every secret whose first version is a placeholder: the rotator
// makes the first value (and, for a database, its login roles) during
// `pulumi up`. A disposable stack's value from secret config is good as it
// is and waits for its schedule, and so does an adopted secret's own value:
// adopting a secret never rotates it (the first rotation after a move from
// another tool is an operator's deliberate step, docs/migrate-from-terraform.md).
func RotateImmediately(s config.Secret) bool {
	return !s.InitialValue.IsSet() && !s.Adopted()
}
