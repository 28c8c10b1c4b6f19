package config

// Raw is a stack's config as Pulumi hands it to the program: fully qualified
// keys ("secrets-platform:secrets", "aws:region") to strings, objects and
// arrays as JSON. Project defaults from Pulumi.yaml are already applied.
type Raw struct {
	Stack  string
	Values map[string]string
	// Secret lists the keys that were set with --secret.
	Secret map[string]bool
	// CatalogFiles are the paths catalogFiles lists, and Files their
	// contents as Load read them (a path Load could not read is absent and
	// already reported in FileProblems).
	CatalogFiles []string
	Files        map[string][]byte
	FileProblems map[string]string
	// reported keeps a file's problems from being listed once per list.
	reported map[string]bool
}

func (r Raw) get(key string) (string, bool) {
	v, ok := r.Values[Project+":"+key]
	return v, ok
}

// The JSON shapes of the structured keys; unknown fields are refused so that
// a misspelt setting is an error, not a silently ignored line.

type rawSecret struct {
	Name               string            `json:"name"`
	Description        string            `json:"description"`
	Kind               string            `json:"kind"`
	RecoveryWindowDays *int              `json:"recoveryWindowDays"`
	Tags               map[string]string `json:"tags"`
	ValueConfigKey     string            `json:"valueConfigKey"`
	AdminSecret        string            `json:"adminSecret"`
	KeyAPIBaseURL      string            `json:"keyApiBaseUrl"`
	Password           *rawPassword      `json:"password"`
	Rotation           *rawRotation      `json:"rotation"`
	ValuePut           bool              `json:"valuePut"`
	Keyring            *rawKeyring       `json:"keyring"`
	Adopt              *rawAdopt         `json:"adopt"`
	// ReplicaRegions overrides the stack's replicaRegions: nil keeps the
	// stack's list, an empty list turns replication off for this secret.
	ReplicaRegions *[]string `json:"replicaRegions"`
}

// rawAdopt names an existing secret a catalog entry takes over.
type rawAdopt struct {
	ARN string `json:"arn"`
}

type rawKeyring struct {
	MaxKeys    int      `json:"maxKeys"`
	RetireKeys []string `json:"retireKeys"`
}

type rawPassword struct {
	Length            int     `json:"length"`
	ExcludeCharacters *string `json:"excludeCharacters"`
}

type rawRotation struct {
	Strategy           string `json:"strategy"`
	Days               int    `json:"days"`
	ScheduleExpression string `json:"scheduleExpression"`
	Window             string `json:"window"`
	GracePeriod        string `json:"gracePeriod"`
	ManualReason       string `json:"manualReason"`
}

type rawCache struct {
	TTL       string `json:"ttl"`
	MaxStale  string `json:"maxStale"`
	Instances *int   `json:"instances"`
}

type rawDatabase struct {
	SecretName               string        `json:"secretName"`
	EngineVersion            string        `json:"engineVersion"`
	InstanceClass            string        `json:"instanceClass"`
	AllocatedStorageGB       int           `json:"allocatedStorageGb"`
	MaxAllocatedStorageGB    int           `json:"maxAllocatedStorageGb"`
	BackupRetentionDays      *int          `json:"backupRetentionDays"`
	MultiAZ                  *bool         `json:"multiAz"`
	DBName                   string        `json:"dbName"`
	Username                 string        `json:"username"`
	MasterUsername           string        `json:"masterUsername"`
	Grants                   []string      `json:"grants"`
	Network                  *rawNetwork   `json:"network"`
	WorkloadSecurityGroupIDs []string      `json:"workloadSecurityGroupIds"`
	Existing                 *rawExisting  `json:"existing"`
	OwnerChangesApplied      bool          `json:"ownerChangesApplied"`
	Migration                *rawMigration `json:"migration"`
}

// rawMigration is the login that owns the application schema.
type rawMigration struct {
	SecretName string `json:"secretName"`
	Username   string `json:"username"`
}

// rawExisting names an RDS instance made elsewhere.
type rawExisting struct {
	InstanceIdentifier string `json:"instanceIdentifier"`
	MasterSecretARN    string `json:"masterSecretArn"`
}

type rawNetwork struct {
	VpcID     string   `json:"vpcId"`
	SubnetIDs []string `json:"subnetIds"`
	CIDR      string   `json:"cidr"`
	AZCount   int      `json:"azCount"`
	// SecretsManagerEndpoint is required with VpcID, refused without.
	SecretsManagerEndpoint *rawEndpoint `json:"secretsManagerEndpoint"`
}

type rawEndpoint struct {
	Mode                         string `json:"mode"`
	ID                           string `json:"id"`
	AcknowledgeVpcWidePrivateDNS string `json:"acknowledgeVpcWidePrivateDns"`
}

// rawExternalSecret is a secret made and owned elsewhere that workloads read.
type rawExternalSecret struct {
	Name        string `json:"name"`
	ARN         string `json:"arn"`
	KmsKeyARN   string `json:"kmsKeyArn"`
	Description string `json:"description"`
}

type rawWorkload struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	RoleARN       string   `json:"roleArn"`
	Secrets       []string `json:"secrets"`
	InjectAtStart []string `json:"injectAtStart"`
	VersionStage  string   `json:"versionStage"`
	// FunctionName and Architecture are for type lambda, ECS for ecs, EKS for eks.
	FunctionName string             `json:"functionName"`
	Architecture string             `json:"architecture"`
	ECS          *rawECSService     `json:"ecs"`
	EKS          *rawServiceAccount `json:"eks"`
	// Regions are where the workload runs (default the stack's region).
	Regions []string `json:"regions"`
}

type rawECSService struct {
	Cluster string `json:"cluster"`
	Service string `json:"service"`
}

type rawServiceAccount struct {
	Cluster        string `json:"cluster"`
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
}

type rawExternal struct {
	Name          string   `json:"name"`
	AccountID     string   `json:"accountId"`
	RoleName      string   `json:"roleName"`
	OrgID         string   `json:"orgId"`
	Secrets       []string `json:"secrets"`
	DeployRoleARN string   `json:"deployRoleArn"`
	Regions       []string `json:"regions"`
}

type rawAlerts struct {
	Emails           []string `json:"emails"`
	HTTPSEndpoints   []string `json:"httpsEndpoints"`
	OperatorRoleArns []string `json:"operatorRoleArns"`
}
