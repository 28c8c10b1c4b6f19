package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/acme/secrets-platform/lambdaext"
)

// Names AWS and Kubernetes accept, quoted in the problems they cause.
var (
	functionNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	ecsNamePattern      = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	eksClusterPattern   = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
	k8sNamespacePattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	k8sAccountPattern   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`)
)

// parseWorkloadKind reads the fields that belong to one workload type and
// refuses them on the others, so a field never silently does nothing.
func parseWorkloadKind(k string, r rawWorkload, w *Workload, c Config, ps *problems) {
	if w.Type == Lambda {
		w.FunctionName = orDefault(r.FunctionName, DefaultFunctionName(c.Environment, w.Name))
		w.Architecture = orDefault(r.Architecture, DefaultArchitecture)
		// The deploy role manages only the environment's log groups, and the
		// platform key admits only theirs: /aws/lambda/{env}-*.
		if !functionNamePattern.MatchString(w.FunctionName) || !strings.HasPrefix(w.FunctionName, c.Environment+"-") {
			ps.add(k+".functionName", w.FunctionName, "the Lambda function's name: up to 64 letters, digits, - and _, starting with %q (the stack creates its log group, and manages only the environment's)", c.Environment+"-")
		}
		if !slices.Contains(lambdaext.Architectures(), lambdaext.Architecture(w.Architecture)) {
			ps.add(k+".architecture", w.Architecture, "one of %v: the function's instruction set, which picks the extension's layer", lambdaext.Architectures())
		}
	} else {
		for field, v := range map[string]string{"functionName": r.FunctionName, "architecture": r.Architecture} {
			if v != "" {
				ps.add(k+"."+field, v, "only for type lambda")
			}
		}
	}
	switch {
	case r.ECS != nil && w.Type != ECS:
		ps.add(k+".ecs", "(set)", "only for type ecs")
	case r.ECS != nil:
		w.ECSService = &ECSService{Cluster: r.ECS.Cluster, Service: r.ECS.Service}
		if !ecsNamePattern.MatchString(r.ECS.Cluster) {
			ps.add(k+".ecs.cluster", r.ECS.Cluster, "the ECS cluster's name (1-255 letters, digits, - and _)")
		}
		if !ecsNamePattern.MatchString(r.ECS.Service) {
			ps.add(k+".ecs.service", r.ECS.Service, "the ECS service's name (1-255 letters, digits, - and _)")
		}
	}
	switch {
	case r.EKS != nil && w.Type != EKS:
		ps.add(k+".eks", "(set)", "only for type eks")
	case w.Type == EKS && r.EKS == nil:
		ps.add(k+".eks", "(unset)", "{cluster, namespace, serviceAccount}: the service account EKS Pod Identity gives the role to")
	case r.EKS != nil:
		w.ServiceAccount = &ServiceAccount{Cluster: r.EKS.Cluster, Namespace: r.EKS.Namespace, Name: r.EKS.ServiceAccount}
		if !eksClusterPattern.MatchString(r.EKS.Cluster) {
			ps.add(k+".eks.cluster", r.EKS.Cluster, "the EKS cluster's name, in this stack's account and region (1-100 letters, digits, - and _)")
		}
		if !k8sNamespacePattern.MatchString(r.EKS.Namespace) {
			ps.add(k+".eks.namespace", r.EKS.Namespace, "a Kubernetes namespace (a DNS label: lowercase letters, digits and -)")
		}
		if !k8sAccountPattern.MatchString(r.EKS.ServiceAccount) {
			ps.add(k+".eks.serviceAccount", r.EKS.ServiceAccount, "a Kubernetes service account name (lowercase letters, digits, - and .)")
		}
	}
}

// checkWorkloadsWork refuses a workload that would get its grant and still
// not work: a reader of the database secret with no network path to the
// database, a task that would keep a rotated value it injected at start, a
// function in a region without the extension's layer.
func checkWorkloadsWork(c Config, ps *problems) {
	var functions []string
	for _, w := range c.Workloads {
		k := w.Key
		if c.ReadsDatabase(w) && c.Database.Existing == nil && !c.Database.Network.CreatesVPC() && len(c.Database.WorkloadSecurityGroupIDs) == 0 {
			j := slices.IndexFunc(w.Secrets, c.Database.Holds)
			ps.add(fmt.Sprintf("%s.secrets[%d]", k, j), w.Secrets[j],
				"a secret this workload can use: the database is in VPC %s, which the stack does not create, so set %s.workloadSecurityGroupIds to this workload's security group in that VPC (the database and the endpoint then admit it)",
				c.Database.Network.VpcID, key("database"))
		}
		rotated := c.RotatedInjected(w)
		if c.Strict() && len(rotated) > 0 && w.ECSService == nil {
			for j, n := range w.InjectAtStart {
				if slices.Contains(rotated, n) {
					ps.add(fmt.Sprintf("%s.injectAtStart[%d]", k, j), n,
						"a manually rotated secret in a strict stack, or name the service (%s.ecs: {cluster, service}) so each rotation starts new tasks: a task keeps the value it started with, which the rotation makes stale", k)
				}
			}
		}
		if w.ECSService != nil && len(rotated) == 0 {
			ps.add(k+".ecs", w.ECSService.Cluster+"/"+w.ECSService.Service,
				"only with injectAtStart of an automatically rotated secret, whose rotations redeploy the service (there is nothing to redeploy for)")
		}
		if w.Type == Lambda {
			functions = append(functions, w.Name)
		}
	}
	if _, err := lambdaext.LayerARN(c.Region, lambdaext.ARM64); err != nil && len(functions) > 0 && regionPattern.MatchString(c.Region) {
		ps.add("aws:region", c.Region,
			"a region with a published layer of the Parameters and Secrets Lambda Extension, for lambda workloads %v (lambdaext has %v; add the region's ARNs from %s)",
			functions, lambdaext.Regions(), lambdaext.LayersSource)
	}
}
