package contract

// TestSettings are settings only tests may use. The program never sets them,
// and the rotator honours them only when built with the rotatortest build
// tag, which the deployed artifact never is: in production they would let
// whoever can edit a function's environment choose where a credential goes.
type TestSettings struct {
	// RootCAFile replaces the embedded RDS certificate authorities with a
	// test CA (a PostgreSQL the tests start).
	RootCAFile string
	// TwilioBaseURL replaces https://api.twilio.com with a test server.
	TwilioBaseURL string
}

// The environment variables of TestSettings.
const (
	EnvTestRootCAFile    = "ROTATOR_TEST_ROOT_CA_FILE"
	EnvTestTwilioBaseURL = "ROTATOR_TEST_TWILIO_BASE_URL"
)

// TestSettingsFromEnv reads TestSettings through getenv.
func TestSettingsFromEnv(getenv func(string) string) TestSettings {
	return TestSettings{RootCAFile: getenv(EnvTestRootCAFile), TwilioBaseURL: getenv(EnvTestTwilioBaseURL)}
}

// Env is the environment a test sets for these settings.
func (t TestSettings) Env() map[string]string {
	env := map[string]string{}
	if t.RootCAFile != "" {
		env[EnvTestRootCAFile] = t.RootCAFile
	}
	if t.TwilioBaseURL != "" {
		env[EnvTestTwilioBaseURL] = t.TwilioBaseURL
	}
	return env
}
