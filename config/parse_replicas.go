package config

import (
	"fmt"
	"slices"
	"strings"
)

// parseReplicaRegions reads the stack's default replicaRegions.
func parseReplicaRegions(raw Raw, c Config, ps *problems) []string {
	var list []string
	decodeKey(raw, "replicaRegions", &list, ps)
	return checkReplicaRegions(key("replicaRegions"), list, c.Region, ps)
}

// checkReplicaRegions refuses a replica region that is the stack's own, one
// the table does not know in the stack's partition (Secrets Manager
// replicates within a partition), or one listed twice; it returns the valid
// ones, sorted, so the plan and the replicas input are stable.
func checkReplicaRegions(k string, list []string, primary string, ps *problems) []string {
	if !regionPattern.MatchString(primary) {
		return nil // aws:region is reported already
	}
	var out []string
	for i, r := range list {
		ki := fmt.Sprintf("%s[%d]", k, i)
		switch {
		case r == primary:
			ps.add(ki, r, "a region other than the stack's own (%s), where the primary is: one of %s", primary, strings.Join(ReplicaRegionsOf(primary), ", "))
		case !KnownRegion(primary, r):
			ps.add(ki, r, "a region of partition %s where Secrets Manager and KMS run (%s, as of %s): one of %s", PartitionOf(primary), RegionsSource, RegionsAsOf, strings.Join(ReplicaRegionsOf(primary), ", "))
		case slices.Index(list, r) != i:
			ps.add(ki, r, "each region once")
		default:
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// replicationRefused says why a secret must not be replicated, "" when it
// may be:
//   - kind database: the instance it logs into and the rotator that changes
//     its password are in the stack's region only, so a copy elsewhere reaches
//     nothing the day that region is down, and a reader elsewhere would cross
//     regions to the database anyway;
//   - an admin credential (another secret's adminSecret): only its rotator
//     reads it, in the stack's region; a copy of a credential that can mint
//     keys, in a region nobody reads it from, is exposure without a reader.
func replicationRefused(s Secret, all []Secret) string {
	if s.Kind == KindDatabase {
		return "no replicas for kind database: the database and the rotator that changes its password run in the stack's region only, so a copy elsewhere reaches nothing when that region is down"
	}
	for _, o := range all {
		if o.AdminSecret == s.Name {
			return fmt.Sprintf("no replicas for the admin credential of %s: only its rotator reads it, in the stack's region; a copy elsewhere is a key-minting credential nobody reads", o.Name)
		}
	}
	return ""
}

// resolveReplicas sets each secret's replica regions: its own list when the
// entry has one ([] turns replication off), else the stack's default for a
// secret that may replicate. A refused kind with a list of its own is a
// problem; the default passes it by, as the README says.
func resolveReplicas(c Config, entries []entry[rawSecret], out []Secret, ps *problems) {
	for i := range out {
		s, r := &out[i], entries[i].v
		refused := replicationRefused(*s, out)
		switch {
		case r.ReplicaRegions == nil && refused == "":
			s.ReplicaRegions = slices.Clone(c.ReplicaRegions)
		case r.ReplicaRegions == nil:
			// The stack's default does not apply to it (README, "Replicas").
		case len(*r.ReplicaRegions) > 0 && refused != "":
			ps.add(s.Key+".replicaRegions", strings.Join(*r.ReplicaRegions, ","), "%s", refused)
		default:
			s.ReplicaRegions = checkReplicaRegions(s.Key+".replicaRegions", *r.ReplicaRegions, c.Region, ps)
		}
	}
}

// parseReaderRegions reads where a reader (a workload or another account's
// principal) runs: the stack's region by default; otherwise regions of the
// partition, each once, and each other than the stack's own holding a copy
// of one of the secrets it reads: a reader elsewhere reads the primary
// across regions, which its policy grants without the region being named.
func parseReaderRegions(k string, list []string, reads []string, c Config, ps *problems) []string {
	if list == nil {
		return []string{c.Region}
	}
	if len(list) == 0 {
		ps.add(k, "[]", "the regions the reader runs in (omit the key for the stack's region, %s)", c.Region)
		return []string{c.Region}
	}
	if !regionPattern.MatchString(c.Region) {
		return []string{c.Region}
	}
	var out []string
	for i, r := range list {
		ki := fmt.Sprintf("%s[%d]", k, i)
		copies := slices.ContainsFunc(reads, func(n string) bool { return c.HasCopy(n, r) })
		switch {
		case r != c.Region && !KnownRegion(c.Region, r):
			ps.add(ki, r, "a region of partition %s where Secrets Manager and KMS run (%s, as of %s)", PartitionOf(c.Region), RegionsSource, RegionsAsOf)
		case slices.Index(list, r) != i:
			ps.add(ki, r, "each region once")
		case !copies:
			ps.add(ki, r, "the stack's region (%s) or a region one of the secrets read here is replicated to (%s): elsewhere the reader reads the primary across regions, which needs no region named", c.Region, joinOrNone(c.ReplicaRegionsInUse()))
		default:
			out = append(out, r)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return []string{c.Region}
	}
	return out
}

// joinOrNone lists regions for a message.
func joinOrNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
