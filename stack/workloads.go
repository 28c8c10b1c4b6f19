package stack

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/database"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/lambdaext"
	"github.com/acme/secrets-platform/rotation"
)

// withKind adds to a workload's args what only its type takes: a function's
// log group and network interfaces, a pod's service account.
func withKind(b base, wl config.Workload, args *iam.WorkloadArgs) {
	switch wl.Type {
	case config.Lambda:
		args.FunctionName = wl.FunctionName
		args.LogRetentionDays = rotation.LogRetentionDisposableDays
		if b.cfg.Strict() {
			args.LogRetentionDays = rotation.LogRetentionStrictDays
		}
		args.LogKeyArn = b.keys.Platform.Arn
		// A function that reads the database secret runs in its VPC.
		args.NetworkInterfaces = b.cfg.ReadsDatabase(wl)
	case config.EKS:
		sa := wl.ServiceAccount
		args.ServiceAccount = &iam.ServiceAccount{Cluster: sa.Cluster, Namespace: sa.Namespace, Name: sa.Name}
	}
}

// workloadGroups are the workloads the database component makes a security
// group for (config.Config.WorkloadGroup).
func workloadGroups(cfg config.Config) []string {
	var out []string
	for _, wl := range cfg.Workloads {
		if cfg.WorkloadGroup(wl) {
			out = append(out, wl.Name)
		}
	}
	return out
}

// kindExports are the outputs that tell a workload's owner what to set up:
// the extension's layer and environment and the log group of a function,
// the Pod Identity association of a service account, and the network of
// the database for a workload that reads its secret.
func kindExports(b base, wl config.Workload, w *iam.Workload, db *database.Database) (pulumi.Map, error) {
	out := pulumi.Map{}
	switch wl.Type {
	case config.Lambda:
		layer, err := lambdaext.LayerARN(b.cfg.Region, lambdaext.Architecture(wl.Architecture))
		if err != nil {
			return nil, err
		}
		out["functionName"] = pulumi.String(wl.FunctionName)
		out["logGroupName"] = w.LogGroupName
		// The extension reads with the function's role, which the read
		// policy already allows: it calls GetSecretValue (and Secrets
		// Manager decrypts with kms:Decrypt through it), nothing else.
		out["extension"] = pulumi.Map{
			"layerArn":     pulumi.String(layer),
			"layersAsOf":   pulumi.String(lambdaext.LayersAsOf),
			"architecture": pulumi.String(wl.Architecture),
			"environment":  pulumi.ToStringMap(lambdaext.Environment(b.cfg.Cache.TTL)),
		}
	case config.EKS:
		out["podIdentityAssociationArn"] = w.PodIdentityAssociationArn
	}
	if db != nil && b.cfg.ReadsDatabase(wl) && b.cfg.Database.Existing == nil {
		groups := pulumi.ToStringArray(b.cfg.Database.WorkloadSecurityGroupIDs).ToStringArrayOutput()
		if g, ok := db.WorkloadSecurityGroupIDs[wl.Name]; ok {
			groups = pulumi.StringArray{g}.ToStringArrayOutput()
		}
		// Where the workload must run to reach the database: these subnets,
		// with one of these groups, which the database and the Secrets
		// Manager endpoint admit.
		out["databaseNetwork"] = pulumi.Map{"vpcId": db.VpcID, "subnetIds": db.SubnetIDs, "securityGroupIds": groups}
	}
	return out, nil
}
