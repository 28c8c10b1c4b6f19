package config

import "slices"

// ECSService is an ECS service, by cluster and service name, in the stack's
// account and region.
type ECSService struct {
	Cluster string
	Service string
}

// ServiceAccount is a Kubernetes service account of an EKS cluster in the
// stack's account and region.
type ServiceAccount struct {
	// Cluster is the EKS cluster's name.
	Cluster string
	// Namespace and Name are the service account's.
	Namespace string
	Name      string
}

// DefaultArchitecture is a lambda workload's architecture when config names
// none: arm64, as the rotators.
const DefaultArchitecture = "arm64"

// DefaultFunctionName is a lambda workload's function when config names none.
func DefaultFunctionName(env, workload string) string { return env + "-" + workload }

// RotatedInjected are the secrets a workload injects at task start that
// rotate automatically: a task keeps the value it started with, so each of
// their rotations must start new tasks.
func (c Config) RotatedInjected(w Workload) []string {
	var out []string
	for _, n := range w.InjectAtStart {
		if s, ok := c.Secret(n); ok && s.Rotation.Strategy.Automatic() {
			out = append(out, n)
		}
	}
	return out
}

// Redeploys are the secrets whose rotations redeploy w's ECS service (the
// stack gives it a redeployer): its RotatedInjected, when it names the
// service; none otherwise.
func (c Config) Redeploys(w Workload) []string {
	if w.ECSService == nil {
		return nil
	}
	return c.RotatedInjected(w)
}

// ReadsDatabase reports whether a workload reads one of the database's
// secrets (the application's or the migration login's), and so must reach
// the database.
func (c Config) ReadsDatabase(w Workload) bool {
	return c.Database != nil && slices.ContainsFunc(w.Secrets, c.Database.Holds)
}

// WorkloadGroup reports whether the stack makes the workload a security
// group in the database's VPC: it reads the database secret and the VPC is
// the stack's own, where no group of the workload can exist yet.
func (c Config) WorkloadGroup(w Workload) bool {
	return c.ReadsDatabase(w) && c.Database.Existing == nil && c.Database.Network.CreatesVPC()
}
