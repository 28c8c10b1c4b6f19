package config

import "strings"

// cloneSuffix is the alternating-users strategy's second role, <user>_clone:
// a login's name and its clone's must both be free and fit PostgreSQL's 63
// bytes.
const cloneSuffix = "_clone"

// maxLoginBytes is the longest login name whose clone still fits; the
// rotators refuse longer names in a schema split.
const maxLoginBytes = 63 - len(cloneSuffix)

// baseRole strips the clone suffix.
func baseRole(name string) string { return strings.TrimSuffix(name, cloneSuffix) }

// parseMigration reads database.migration: the login that owns the
// application schema, in a catalog secret of kind database of its own.
// Nothing it names may be the application's login, the master or the
// application's secret, counting the alternating clones.
func parseMigration(k string, r *rawMigration, d *Database, c Config, ps *problems) *Migration {
	m := &Migration{SecretName: r.SecretName, Username: orDefault(r.Username, d.Username+"_migrator")}
	s, ok := c.Secret(m.SecretName)
	if m.SecretName == d.SecretName || !ok || s.Kind != KindDatabase {
		ps.add(k+".secretName", m.SecretName, "the name of a catalog secret of kind database other than the application's %s (the migration login has credentials of its own)", d.SecretName)
	}
	switch {
	case !identPattern.MatchString(m.Username) || strings.HasSuffix(m.Username, cloneSuffix):
		ps.add(k+".username", m.Username, "a lowercase PostgreSQL identifier (letters, digits and _, starting with a letter or _) not ending in %s, which names the alternating clone", cloneSuffix)
	case baseRole(m.Username) == baseRole(d.Username) || (d.MasterUsername != "" && baseRole(m.Username) == d.MasterUsername):
		ps.add(k+".username", m.Username, "a login other than the application's %s, its clone %s%s and the master user %s",
			d.Username, d.Username, cloneSuffix, orDefault(d.MasterUsername, "of the instance"))
	}
	for _, l := range [][2]string{{k + ".username", m.Username}, {strings.TrimSuffix(k, ".migration") + ".username", d.Username}} {
		if name, v := l[0], l[1]; identPattern.MatchString(v) && len(v) > maxLoginBytes {
			ps.add(name, v, "at most %d bytes with a migration login, so that the alternating clone %s%s fits PostgreSQL's 63", maxLoginBytes, v, cloneSuffix)
		}
	}
	return m
}
