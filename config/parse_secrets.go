package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// rdsRejected are the characters RDS refuses in a master or user password,
// plus the quote and backslash that break shell and connection strings.
const rdsRejected = `/@"' \` + "`"

func parseSecrets(raw Raw, c Config, ps *problems) []Secret {
	seen, derived := map[string]string{}, map[string]string{}
	var out []Secret
	entries := listEntries[rawSecret](raw, "secrets", ps)
	for _, e := range entries {
		s := parseSecret(raw, c, e.key, e.v, ps)
		if other, dup := seen[s.Name]; dup {
			ps.add(e.key+".name", s.Name, "unique across the catalog (also used by %s)", other)
		}
		seen[s.Name] = e.key
		// Resource names join the group and the name with a dash, so
		// /e/a-b/c and /e/a/b-c would name the same resources.
		if other, dup := derived[s.Group+"-"+s.Short]; dup && seen[s.Name] == e.key && other != s.Name {
			ps.add(e.key+".name", s.Name, "a name whose group and name joined by a dash differ from those of %s", other)
		}
		derived[s.Group+"-"+s.Short] = s.Name
		out = append(out, s)
	}
	// Cross-entry checks need the whole catalog.
	for _, s := range out {
		checkAdminSecret(s.Key, s, out, ps)
	}
	checkAdminSecretDestinations(out, ps)
	resolveReplicas(c, entries, out, ps)
	return out
}

// checkAdminSecretDestinations refuses an admin secret that two secrets
// would send to different places: whoever may write one secret's config
// (a catalog file a team owns) must not point another team's provider
// credential at a URL of their choosing. One admin secret serves one
// strategy and, for http, one key API.
func checkAdminSecretDestinations(all []Secret, ps *problems) {
	first := map[string]Secret{}
	for _, s := range all {
		if s.AdminSecret == "" || (s.Rotation.Strategy != HTTPKey && s.Rotation.Strategy != Twilio) {
			continue
		}
		f, ok := first[s.AdminSecret]
		if !ok {
			first[s.AdminSecret] = s
			continue
		}
		if f.Rotation.Strategy != s.Rotation.Strategy || f.KeyAPIBaseURL != s.KeyAPIBaseURL {
			ps.add(s.Key+".adminSecret", s.AdminSecret, "an admin secret that serves one strategy and one key API; %s already sends it to %s %s", f.Name, f.Rotation.Strategy, f.KeyAPIBaseURL)
		}
	}
}

func parseSecret(raw Raw, c Config, k string, r rawSecret, ps *problems) Secret {
	s := Secret{
		Key:            k,
		Name:           r.Name,
		Description:    r.Description,
		Kind:           Kind(r.Kind),
		Tags:           r.Tags,
		ValueConfigKey: r.ValueConfigKey,
		AdminSecret:    r.AdminSecret,
		KeyAPIBaseURL:  r.KeyAPIBaseURL,
		ValuePut:       r.ValuePut,
	}
	checkName(k+".name", r.Name, c.Environment, ps)
	s.Group, s.Short = nameSegments(r.Name)
	if s.Description == "" {
		ps.add(k+".description", "", "a description that tells an operator what the secret is for")
	}
	if !slices.Contains(Kinds(), s.Kind) {
		ps.add(k+".kind", r.Kind, "one of %s", joinKinds())
	}

	s.RecoveryWindowDays = c.Protection.RecoveryWindowDays
	if r.RecoveryWindowDays != nil {
		s.RecoveryWindowDays = *r.RecoveryWindowDays
		checkRecoveryWindow(k+".recoveryWindowDays", s.RecoveryWindowDays, c.Mode, ps)
	}
	for tk := range r.Tags {
		if !tagKeyPattern.MatchString(tk) || strings.HasPrefix(strings.ToLower(tk), "aws:") {
			ps.add(k+".tags", tk, "tag keys of 1-128 letters, digits and _.:/=+@- not starting with aws:")
		}
		if slices.Contains(reservedTags, tk) {
			ps.add(k+".tags", tk, "a tag other than %s (the program sets those)", strings.Join(reservedTags, ", "))
		}
	}
	s.Password = parsePassword(k, r, s.Kind, ps)
	s.Rotation = parseRotation(k, r.Rotation, s.Kind, c, ps)
	s.InitialValue = parseInitialValue(raw, k, r, s.Kind, c, ps)
	s.Keyring = parseKeyring(k, r.Keyring, s.Kind, ps)
	s.AdoptARN = parseAdopt(raw, c, k, r, s, ps)
	if s.ValuePut && !s.OperatorValued() {
		ps.add(k+".valuePut", true, "only for a secret whose value an operator puts (kind json or string, rotation strategy manual); other secrets get theirs from their rotator")
	}
	return s
}

// keyringMaxKeys bounds KeyringBounds.MaxKeys: the ring must hold the
// active key, the previous one and room to warn two keys before full; the top
// is what applications' keyring package accepts.
const (
	keyringMinKeys     = 4
	keyringMaxKeys     = 64
	keyringDefaultKeys = 10
)

func parseKeyring(k string, r *rawKeyring, kind Kind, ps *problems) KeyringBounds {
	b := KeyringBounds{MaxKeys: keyringDefaultKeys}
	if r == nil {
		return b
	}
	if kind != KindKeyring {
		ps.add(k+".keyring", "(set)", "only for kind keyring")
		return b
	}
	if r.MaxKeys != 0 {
		b.MaxKeys = r.MaxKeys
	}
	if b.MaxKeys < keyringMinKeys || b.MaxKeys > keyringMaxKeys {
		ps.add(k+".keyring.maxKeys", b.MaxKeys, "%d to %d keys", keyringMinKeys, keyringMaxKeys)
	}
	seen := map[string]bool{}
	for i, id := range r.RetireKeys {
		switch {
		case !keyIDPattern.MatchString(id):
			ps.add(fmt.Sprintf("%s.keyring.retireKeys[%d]", k, i), id, "a key id of the ring, e.g. k1 or k20260101T000000Z-1a2b3c4d")
		case seen[id]:
			ps.add(fmt.Sprintf("%s.keyring.retireKeys[%d]", k, i), id, "each id once")
		}
		seen[id] = true
		b.RetireKeys = append(b.RetireKeys, id)
	}
	return b
}

// reservedTags are set by the program on every secret.
var reservedTags = []string{"Environment", "ManagedBy", "Rotation", "FirstValue"}

func checkName(k, name, env string, ps *problems) {
	parts := strings.Split(name, "/")
	if len(parts) != 4 || parts[0] != "" || !segmentPattern.MatchString(parts[1]) ||
		!segmentPattern.MatchString(parts[2]) || !segmentPattern.MatchString(parts[3]) {
		ps.add(k, name, "/{env}/{group}/{name}: three segments of lowercase letters, digits and dashes, e.g. /%s/app/database", env)
		return
	}
	if parts[1] != env {
		ps.add(k, name, "a name in this stack's environment: /%s/%s/%s (environment comes from the `environment` key, default the stack name)", env, parts[2], parts[3])
	}
	if arnSuffixPattern.MatchString(parts[3]) {
		ps.add(k, name, "a name that does not end in a dash and six characters (AWS confuses it with the ARN's random suffix)")
	}
}

func nameSegments(name string) (group, short string) {
	parts := strings.Split(name, "/")
	if len(parts) != 4 {
		return "", ""
	}
	return parts[2], parts[3]
}

func joinKinds() string {
	names := make([]string, len(Kinds()))
	for i, k := range Kinds() {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func parsePassword(k string, r rawSecret, kind Kind, ps *problems) Password {
	p := Password{Length: 32, ExcludeCharacters: rdsRejected}
	if r.Password == nil {
		return p
	}
	if kind != KindPassword && kind != KindDatabase && slices.Contains(Kinds(), kind) {
		ps.add(k+".password", "(set)", "only for kinds password and database")
		return p
	}
	if r.Password.Length != 0 {
		p.Length = r.Password.Length
	}
	if p.Length < 20 || p.Length > 128 {
		ps.add(k+".password.length", p.Length, "20 to 128 characters")
	}
	if r.Password.ExcludeCharacters != nil {
		p.ExcludeCharacters = *r.Password.ExcludeCharacters
	}
	if kind == KindDatabase {
		for _, ch := range `/@" ` {
			if !strings.ContainsRune(p.ExcludeCharacters, ch) {
				ps.add(k+".password.excludeCharacters", p.ExcludeCharacters, "a set that includes / @ \" and space, which RDS rejects")
				break
			}
		}
	}
	return p
}

func parseRotation(k string, r *rawRotation, kind Kind, c Config, ps *problems) Rotation {
	allowed := strategiesByKind[kind]
	rot := Rotation{Window: time.Hour, GracePeriod: time.Hour}
	if len(allowed) > 0 {
		rot.Strategy = allowed[0]
	}
	if r == nil {
		r = &rawRotation{}
	}
	if r.Strategy != "" {
		rot.Strategy = Strategy(r.Strategy)
		if why, ok := retiredStrategies()[r.Strategy]; ok {
			ps.add(k+".rotation.strategy", r.Strategy, "%s", why)
		} else if len(allowed) > 0 && !slices.Contains(allowed, rot.Strategy) {
			ps.add(k+".rotation.strategy", r.Strategy, "for kind %s one of %s", kind, joinStrategies(allowed))
		}
	}
	k += ".rotation"
	if !rot.Strategy.Automatic() {
		rot.ManualReason = r.ManualReason
		if strings.TrimSpace(r.ManualReason) == "" {
			ps.add(k+".manualReason", "", "why this secret cannot rotate automatically (SECURITY-RULES 2 exception: e.g. the provider has no key API)")
		}
		if r.Days != 0 || r.ScheduleExpression != "" {
			ps.add(k, "(schedule set)", "no schedule for a manual secret: its age alarm fires after maxSecretAgeDays (%d)", c.MaxSecretAgeDays)
		}
		return rot
	}
	if r.ManualReason != "" {
		ps.add(k+".manualReason", r.ManualReason, "only with strategy manual")
	}
	rot.Days, rot.ScheduleExpression = r.Days, r.ScheduleExpression
	switch {
	case rot.Days != 0 && rot.ScheduleExpression != "":
		ps.add(k, fmt.Sprintf("days=%d scheduleExpression=%s", rot.Days, rot.ScheduleExpression), "either days or scheduleExpression, not both")
	case rot.ScheduleExpression != "":
		checkSchedule(k+".scheduleExpression", rot.ScheduleExpression, c.MaxSecretAgeDays, ps)
	default:
		if rot.Days == 0 {
			rot.Days = min(30, c.MaxSecretAgeDays)
		}
		if rot.Days < 1 || rot.Days > c.MaxSecretAgeDays {
			ps.add(k+".days", rot.Days, "1 to maxSecretAgeDays (%d) days", c.MaxSecretAgeDays)
		}
	}
	rot.Window = durationField(k+".window", r.Window, rot.Window, time.Hour, 24*time.Hour, ps)
	if rot.Window%time.Hour != 0 {
		ps.add(k+".window", r.Window, "whole hours from 1h to 24h (Secrets Manager's rotation window)")
	}
	if r.GracePeriod != "" && rot.Strategy != HTTPKey && rot.Strategy != Twilio {
		ps.add(k+".gracePeriod", r.GracePeriod, "only for strategies http and twilio")
	}
	rot.GracePeriod = durationField(k+".gracePeriod", r.GracePeriod, rot.GracePeriod, time.Minute, 7*24*time.Hour, ps)
	if (rot.Strategy == HTTPKey || rot.Strategy == Twilio) && rot.GracePeriod <= c.Cache.MaxServeAge() {
		ps.add(k+".gracePeriod", rot.GracePeriod, "longer than the time a cached old key stays in use: cache.ttl + ttl/10 jitter + cache.maxStale = %v", c.Cache.MaxServeAge())
	}
	return rot
}

func joinStrategies(ss []Strategy) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func parseInitialValue(raw Raw, k string, r rawSecret, kind Kind, c Config, ps *problems) Sensitive {
	if r.ValueConfigKey == "" {
		return Sensitive{}
	}
	if !slices.Contains(Kinds(), kind) {
		return Sensitive{} // the unknown kind is already reported
	}
	if c.Strict() {
		// Stack config and state are readable by everyone who can preview.
		ps.add(k+".valueConfigKey", r.ValueConfigKey, "no value in stack config of a strict stack: an operator puts the first value with docs/runbooks/first-value-third-party-key.md, then sets valuePut: true (valueConfigKey is for mode: disposable only)")
		return Sensitive{}
	}
	if kind != KindJSON && kind != KindString {
		ps.add(k+".valueConfigKey", r.ValueConfigKey, "only for kinds json and string (other kinds are generated)")
		return Sensitive{}
	}
	if !configKeyPattern.MatchString(r.ValueConfigKey) || slices.Contains(knownKeys, r.ValueConfigKey) {
		ps.add(k+".valueConfigKey", r.ValueConfigKey, "a config key name of letters and digits that is not one of the program's own keys")
		return Sensitive{}
	}
	full := key(r.ValueConfigKey)
	v, ok := raw.Values[full]
	if !ok {
		return Sensitive{} // awaiting its first value: the runbook says how
	}
	val := NewSensitive(v)
	if !raw.Secret[full] {
		ps.add(full, val, "a secret value: set it with `pulumi config set --secret %s`, never in plain text", r.ValueConfigKey)
	}
	switch kind {
	case KindJSON:
		var obj map[string]any
		if err := json.Unmarshal([]byte(v), &obj); err != nil {
			// The decoder's message can quote the value, so it is not shown.
			ps.add(full, val, "a JSON object (secrets[].kind is json)")
		}
	case KindString:
		if strings.TrimSpace(v) != v || v == "" {
			ps.add(full, val, "a non-empty string without leading or trailing white space")
		}
	}
	return val
}

// checkAdminSecret: http and twilio rotators manage keys with a provider
// credential held in a separate, manually rotated catalog secret.
func checkAdminSecret(k string, s Secret, all []Secret, ps *problems) {
	needsAdmin := s.Rotation.Strategy == HTTPKey || s.Rotation.Strategy == Twilio
	if !needsAdmin {
		if s.AdminSecret != "" {
			ps.add(k+".adminSecret", s.AdminSecret, "only for strategies http and twilio")
		}
		if s.KeyAPIBaseURL != "" {
			ps.add(k+".keyApiBaseUrl", s.KeyAPIBaseURL, "only for strategy http")
		}
		return
	}
	idx := slices.IndexFunc(all, func(o Secret) bool { return o.Name == s.AdminSecret })
	switch {
	case idx < 0:
		ps.add(k+".adminSecret", s.AdminSecret, "the name of another catalog secret (kind json) holding the provider credential that may manage keys")
	case all[idx].Kind != KindJSON || all[idx].Rotation.Strategy != Manual || all[idx].Name == s.Name:
		ps.add(k+".adminSecret", s.AdminSecret, "another catalog secret of kind json with rotation strategy manual")
	}
	if idx >= 0 && all[idx].ValuePut && all[idx].InitialValue.IsSet() {
		ps.add(k+".adminSecret", s.AdminSecret, "an admin secret with either valuePut or a valueConfigKey value, not both")
	}
	if s.Rotation.Strategy == HTTPKey && !httpsPattern.MatchString(s.KeyAPIBaseURL) {
		ps.add(k+".keyApiBaseUrl", s.KeyAPIBaseURL, "the https:// base URL of the key-management API (docs/http-key-contract.md)")
	}
}
