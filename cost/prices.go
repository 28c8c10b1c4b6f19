package cost

// HoursPerMonth is AWS's billing month (365 days * 24 h / 12).
const HoursPerMonth = 730.0

// SecondsPerMonth is HoursPerMonth in seconds.
const SecondsPerMonth = HoursPerMonth * 3600

// Prices are AWS's on-demand list prices of one region, in USD, with when
// and where they were read. A figure that was not read from AWS for this
// region is listed in Estimated with how it was made, and every line of an
// estimate that uses it says so.
type Prices struct {
	// Region is the AWS region the prices are for.
	Region string
	// AsOf is when the prices were read or, for estimates, made.
	AsOf string
	// Source says where the figures come from.
	Source string
	// SecretPerMonth is Secrets Manager's price per secret per month.
	SecretPerMonth float64
	// APICallsPer10k is Secrets Manager's price per 10,000 API calls.
	APICallsPer10k float64
	// KeyPerMonth is KMS's price per customer-managed key per month (the
	// first and second automatic rotation each add $1; later ones are free).
	KeyPerMonth float64
	// KMSRequestsPer10k is KMS's price per 10,000 symmetric requests; every
	// GetSecretValue of a secret under a customer-managed key decrypts once.
	KMSRequestsPer10k float64
	// AlarmPerMonth is a standard-resolution CloudWatch metric alarm.
	AlarmPerMonth float64
	// EndpointPerAZHour is an interface VPC endpoint, per AZ it spans.
	EndpointPerAZHour float64
	// ConfigRuleEvaluation is AWS Config's price per rule evaluation (first
	// 100,000 a month).
	ConfigRuleEvaluation float64
	// LambdaRequestsPerMillion is Lambda's request price (rotation runs are
	// short; their duration stays inside the free tier and is not counted).
	LambdaRequestsPerMillion float64
	// GP3PerGBMonth is RDS gp3 storage per GB-month, single-AZ (multi-AZ doubles).
	GP3PerGBMonth float64
	// Instances is RDS for PostgreSQL's price per hour of an instance class,
	// single-AZ (multi-AZ doubles it). A class not listed is shown as
	// unpriced, never guessed.
	Instances map[string]float64
	// Estimated names the figures (by Prices field, "Instances" for the
	// instance rates) that are estimates, and how each was made.
	Estimated map[string]string
}

// The fields Estimated may name.
const (
	FieldSecret    = "SecretPerMonth"
	FieldAPICalls  = "APICallsPer10k"
	FieldKey       = "KeyPerMonth"
	FieldKMS       = "KMSRequestsPer10k"
	FieldAlarm     = "AlarmPerMonth"
	FieldEndpoint  = "EndpointPerAZHour"
	FieldConfig    = "ConfigRuleEvaluation"
	FieldLambda    = "LambdaRequestsPerMillion"
	FieldGP3       = "GP3PerGBMonth"
	FieldInstances = "Instances"
)

// euWest1OverUSE1 is how much more RDS on-demand instances cost in
// eu-west-1 than in us-east-1, roughly (the eu-west-1 estimate below).
const euWest1OverUSE1 = 1.10

// usEast1 are the prices of us-east-1 (N. Virginia), read from AWS's public
// pricing pages on 2026-11-29. The t4g rates and gp3 storage were
// cross-checked against 2026 summaries of AWS's RDS page (for instance
// infratally.com's "AWS RDS pricing explained (2026)", us-east-1: t4g.micro
// $0.016, t4g.small $0.032, t4g.medium $0.065; usage.ai's RDS pricing
// calculator page: gp3 $0.115 per GB-month); the m6g/m7g rates were not, so
// check them first when updating.
var usEast1 = Prices{
	Region: "us-east-1", AsOf: "2026-11-29",
	Source:         "AWS pricing pages of Secrets Manager, KMS, CloudWatch, AWS PrivateLink, AWS Config, Lambda and RDS for PostgreSQL, us-east-1",
	SecretPerMonth: 0.40, APICallsPer10k: 0.05, KeyPerMonth: 1.00, KMSRequestsPer10k: 0.03,
	AlarmPerMonth: 0.10, EndpointPerAZHour: 0.01, ConfigRuleEvaluation: 0.001, LambdaRequestsPerMillion: 0.20,
	GP3PerGBMonth: 0.115,
	Instances: map[string]float64{
		"db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.t4g.large": 0.129,
		"db.m6g.large": 0.159, "db.m7g.large": 0.168, "db.m7g.xlarge": 0.337,
	},
}

// euWest1 are the prices of eu-west-1 (Ireland), where both committed
// stacks run. AWS's regional price tables are not in the material this was
// written from (the pricing pages render their tables in the browser), so
// only the prices AWS states once for every commercial region are taken as
// read; the others are estimates, marked, until someone reads them from the
// pricing pages or the Price List API
// (`aws pricing get-products --region us-east-1 --service-code AmazonRDS
// --filters Type=TERM_MATCH,Field=regionCode,Value=eu-west-1 ...`) and
// removes the mark.
var euWest1 = Prices{
	Region: "eu-west-1", AsOf: "2026-12-04",
	Source: "Secrets Manager, KMS and Lambda request prices: one price for every commercial region on AWS's pricing pages; " +
		"the rest estimated as Estimated says",
	SecretPerMonth: 0.40, APICallsPer10k: 0.05, KeyPerMonth: 1.00, KMSRequestsPer10k: 0.03,
	AlarmPerMonth: 0.10, EndpointPerAZHour: 0.011, ConfigRuleEvaluation: 0.001, LambdaRequestsPerMillion: 0.20,
	GP3PerGBMonth: 0.127,
	Instances:     scaled(usEast1.Instances, euWest1OverUSE1),
	Estimated: map[string]string{
		FieldAlarm:     "us-east-1's price; CloudWatch's page was not read for eu-west-1",
		FieldConfig:    "us-east-1's price; AWS Config's page was not read for eu-west-1",
		FieldEndpoint:  "$0.011 per AZ-hour, from memory of AWS PrivateLink's regional table (us-east-1: $0.01); not read here",
		FieldGP3:       "$0.127 per GB-month, from memory of RDS's regional table (us-east-1: $0.115); not read here",
		FieldInstances: "us-east-1's rate x 1.10, rounded to a tenth of a cent: RDS on-demand rates in eu-west-1 run about 10% above us-east-1's",
	},
}

// Uniform are the prices AWS states once for every commercial region on
// its pricing pages (Secrets Manager: $0.40 per secret per month, replica
// secrets each billed as a secret, and $0.05 per 10,000 API calls; KMS: $1
// per customer-managed key per month and $0.03 per 10,000 requests), read
// with usEast1. A replica region without a table of its own is priced with
// them, its lines saying so; nothing else is ever priced from them.
var Uniform = Prices{
	Region: "every commercial region", AsOf: usEast1.AsOf,
	Source:         "Secrets Manager and KMS pricing pages: one price for every commercial region",
	SecretPerMonth: 0.40, APICallsPer10k: 0.05, KeyPerMonth: 1.00, KMSRequestsPer10k: 0.03,
}

// regions are the price tables, by region: those the committed stacks and
// the tests use.
var regions = map[string]Prices{usEast1.Region: usEast1, euWest1.Region: euWest1}

// PricesFor returns a region's prices; false when the table has none (the
// estimate then prices nothing rather than guess).
func PricesFor(region string) (Prices, bool) {
	p, ok := regions[region]
	return p, ok
}

// Regions lists the regions the table has.
func Regions() []string {
	out := make([]string, 0, len(regions))
	for r := range regions {
		out = append(out, r)
	}
	return out
}

// scaled multiplies each rate, rounded to a tenth of a cent.
func scaled(in map[string]float64, factor float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range in {
		out[k] = round(v*factor, 3)
	}
	return out
}

// Usage assumptions.
const (
	// CallsPerRotation is how many Secrets Manager calls one rotation makes
	// (the PostgreSQL strategies measure 11; the four steps of the others fewer).
	CallsPerRotation = 12
	// InvocationsPerRotation is one Lambda invocation per rotation step.
	InvocationsPerRotation = 4
)
