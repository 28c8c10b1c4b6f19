package iam

import (
	"errors"
	"fmt"
	"strings"
)

// validateKind checks the arguments only one kind takes: a function's log
// group for lambda, a service account for eks.
func (a *WorkloadArgs) validateKind() error {
	if a.Kind == WorkloadLambda {
		// The platform key's log statement and the deploy role's log groups
		// are the environment's: /aws/lambda/{env}-*.
		if !strings.HasPrefix(a.FunctionName, RolePrefix(a.Environment)) || len(a.FunctionName) > 64 {
			return fmt.Errorf("FunctionName %q: want a Lambda function name of at most 64 characters starting with %q", a.FunctionName, RolePrefix(a.Environment))
		}
		if a.LogRetentionDays <= 0 || a.LogKeyArn == nil {
			return errors.New("LogRetentionDays and LogKeyArn are required for a lambda workload's log group")
		}
	} else if a.FunctionName != "" || a.NetworkInterfaces {
		return fmt.Errorf("FunctionName and NetworkInterfaces are only for kind %s", WorkloadLambda)
	}
	switch {
	case a.Kind == WorkloadEKS && (a.ServiceAccount == nil || a.ServiceAccount.Cluster == "" || a.ServiceAccount.Namespace == "" || a.ServiceAccount.Name == ""):
		return errors.New("ServiceAccount with Cluster, Namespace and Name is required for an eks workload: its trust names all three")
	case a.Kind != WorkloadEKS && a.ServiceAccount != nil:
		return fmt.Errorf("ServiceAccount is only for kind %s", WorkloadEKS)
	}
	return nil
}
