package config

// Sensitive holds a secret config value (set with `pulumi config set --secret`).
// Parse reads it in plain text because validation must happen before any
// resource is registered; every way of printing it prints a placeholder, and
// the program wraps it with pulumi.ToSecret before it reaches a resource.
type Sensitive struct{ value string }

// NewSensitive wraps a plaintext secret value.
func NewSensitive(v string) Sensitive { return Sensitive{value: v} }

// Reveal returns the plaintext, for the single place that hands it to Pulumi.
func (s Sensitive) Reveal() string { return s.value }

// IsSet reports whether a value was given.
func (s Sensitive) IsSet() bool { return s.value != "" }

func (s Sensitive) String() string   { return "[secret]" }
func (s Sensitive) GoString() string { return "[secret]" }

// MarshalJSON keeps the value out of any JSON dump of the config.
func (s Sensitive) MarshalJSON() ([]byte, error) { return []byte(`"[secret]"`), nil }

func (s Sensitive) redacted() {}
