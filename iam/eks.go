package iam

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ServiceAccount is the Kubernetes service account an eks workload's role is
// for, in a cluster of the stack's account and region.
type ServiceAccount struct {
	Cluster, Namespace, Name string
}

// podIdentity registers the association that hands the role to the service
// account's pods. Session tags stay on (the default): the role's trust
// matches them, so the role is the service account's only.
func (w *Workload) podIdentity(ctx *pulumi.Context, name string, role pulumi.StringInput, sa ServiceAccount, tags pulumi.StringMap) error {
	a, err := eks.NewPodIdentityAssociation(ctx, name+"-pod-identity", &eks.PodIdentityAssociationArgs{
		ClusterName:    pulumi.String(sa.Cluster),
		Namespace:      pulumi.String(sa.Namespace),
		ServiceAccount: pulumi.String(sa.Name),
		RoleArn:        role,
		Tags:           tags,
	}, pulumi.Parent(w))
	if err != nil {
		return fmt.Errorf("create pod identity association for %s/%s in %s: %w", sa.Namespace, sa.Name, sa.Cluster, err)
	}
	w.PodIdentityAssociationArn = a.AssociationArn
	return nil
}
