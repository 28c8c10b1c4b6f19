package cost

// PricesAsOf is when the list prices below were read from AWS's public
// pricing pages. They are on-demand prices of us-east-1 (N. Virginia), in USD;
// other regions differ by a few percent (RDS in eu-west-1 is about 10% more).
// Update the date with the numbers.
const PricesAsOf = "2026-11-29"

// PricesRegion is the region the prices are for.
const PricesRegion = "us-east-1"

// HoursPerMonth is AWS's billing month (365 days * 24 h / 12).
const HoursPerMonth = 730.0

// SecondsPerMonth is HoursPerMonth in seconds.
const SecondsPerMonth = HoursPerMonth * 3600

// List prices in USD.
const (
	// SecretPerMonth is Secrets Manager's price per secret per month.
	SecretPerMonth = 0.40
	// APICallsPer10k is Secrets Manager's price per 10,000 API calls.
	APICallsPer10k = 0.05
	// KeyPerMonth is KMS's price per customer-managed key per month (the
	// first and second automatic rotation each add $1; later ones are free).
	KeyPerMonth = 1.00
	// KMSRequestsPer10k is KMS's price per 10,000 symmetric requests; every
	// GetSecretValue of a secret under a customer-managed key decrypts once.
	KMSRequestsPer10k = 0.03
	// AlarmPerMonth is a standard-resolution CloudWatch metric alarm.
	AlarmPerMonth = 0.10
	// EndpointPerAZHour is an interface VPC endpoint, per AZ it spans.
	EndpointPerAZHour = 0.01
	// ConfigRuleEvaluation is AWS Config's price per rule evaluation (first
	// 100,000 a month).
	ConfigRuleEvaluation = 0.001
	// LambdaRequestsPerMillion is Lambda's request price (rotation runs are
	// short; their duration stays inside the free tier and is not counted).
	LambdaRequestsPerMillion = 0.20
	// GP3PerGBMonth is RDS gp3 storage per GB-month, single-AZ (multi-AZ doubles).
	GP3PerGBMonth = 0.115
)

// InstanceHourly is RDS for PostgreSQL's on-demand price per hour of an
// instance class, single-AZ (multi-AZ doubles it). A class not listed
// reports false, and the estimate shows it as unpriced rather than guessed.
// The t4g rates and gp3 storage were cross-checked against 2026 summaries of
// AWS's page; the m6g/m7g rates were not, so check them first when updating.
func InstanceHourly(class string) (float64, bool) {
	price, ok := map[string]float64{
		"db.t4g.micro":  0.016,
		"db.t4g.small":  0.032,
		"db.t4g.medium": 0.065,
		"db.t4g.large":  0.129,
		"db.m6g.large":  0.159,
		"db.m7g.large":  0.168,
		"db.m7g.xlarge": 0.337,
	}[class]
	return price, ok
}

// Usage assumptions.
const (
	// CallsPerRotation is how many Secrets Manager calls one rotation makes
	// (the PostgreSQL strategies measure 11; the four steps of the others fewer).
	CallsPerRotation = 12
	// InvocationsPerRotation is one Lambda invocation per rotation step.
	InvocationsPerRotation = 4
)
