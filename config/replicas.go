package config

import (
	"maps"
	"slices"
)

// Replica regions: Secrets Manager keeps a read-only copy of a secret in
// each region its primary replicates to, under the same name and ARN but
// the region. Rotation and every write stay with the primary; readers in a
// replica region read the copy there (README, "Replicas").

// HasCopy reports whether the secret name has a copy in region: the primary,
// in the stack's region, or a replica. An external secret has the primary only.
func (c Config) HasCopy(name, region string) bool {
	if region == c.Region {
		return true
	}
	s, ok := c.Secret(name)
	return ok && slices.Contains(s.ReplicaRegions, region)
}

// ReadRegion is the region a reader running in region reads the secret name
// from: the copy there, or the primary when there is none.
func (c Config) ReadRegion(name, region string) string {
	if c.HasCopy(name, region) {
		return region
	}
	return c.Region
}

// ReadsByRegion groups the secrets a reader running in regions reads by the
// region of the copy it reads, each name once per region, in names' order.
func (c Config) ReadsByRegion(names, regions []string) map[string][]string {
	out := map[string][]string{}
	for _, r := range regions {
		for _, n := range names {
			from := c.ReadRegion(n, r)
			if !slices.Contains(out[from], n) {
				out[from] = append(out[from], n)
			}
		}
	}
	return out
}

// ReplicaRegionsInUse are the regions some secret replicates to, sorted: the
// stack keeps a key and a provider in each.
func (c Config) ReplicaRegionsInUse() []string {
	set := map[string]bool{}
	for _, s := range c.Secrets {
		for _, r := range s.ReplicaRegions {
			set[r] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// Replicas counts the replicas of the catalog, by region.
func (c Config) Replicas() map[string]int {
	out := map[string]int{}
	for _, s := range c.Secrets {
		for _, r := range s.ReplicaRegions {
			out[r]++
		}
	}
	return out
}
