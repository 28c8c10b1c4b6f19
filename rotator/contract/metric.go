package contract

// The metric a keyring rotator emits and the program's alarm watches. The
// rotator writes it in CloudWatch's embedded metric format to its log, so it
// needs no permission beyond writing its own log group.
const (
	// MetricNamespace is the namespace of every rotator metric.
	MetricNamespace = "SecretsPlatform/Rotator"
	// MetricDimensionFunction is the metrics' one dimension: the rotation
	// function's name.
	MetricDimensionFunction = "FunctionName"
	// MetricKeyringFreeSlots is how many more keys a ring can take before
	// it is full, emitted at every keyring createSecret.
	MetricKeyringFreeSlots = "KeyringFreeSlots"
	// KeyringAlarmFreeSlots is the free-slot count at which the alarm
	// fires: two rotations before the ring jams, time for a retirement.
	KeyringAlarmFreeSlots = 2
)
