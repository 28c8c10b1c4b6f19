package cost

import (
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/acme/secrets-platform/config"
)

// Line is one item of the estimate.
type Line struct {
	// Item names what is billed.
	Item string `json:"item"`
	// Quantity is how many units a month.
	Quantity float64 `json:"quantity"`
	// Unit is what Quantity counts.
	Unit string `json:"unit"`
	// UnitPrice is the list price of one Unit in USD.
	UnitPrice float64 `json:"unitPrice"`
	// Monthly is Quantity * UnitPrice, rounded to cents.
	Monthly float64 `json:"monthlyUsd"`
	// Note says how the quantity was derived, or why the item is unpriced.
	Note string `json:"note,omitempty"`
}

// Estimate is a stack's monthly cost.
type Estimate struct {
	PricesAsOf string `json:"pricesAsOf"`
	Region     string `json:"pricesRegion"`
	// PricesSource says where the region's prices come from; "" when the
	// table has no prices for the region.
	PricesSource string  `json:"pricesSource"`
	Total        float64 `json:"totalMonthlyUsd"`
	Lines        []Line  `json:"lines"`
}

// Inputs are the quantities the estimate is computed from.
type Inputs struct {
	// Region picks the price table (PricesFor).
	Region string
	// Secrets counts every secret, the RDS-managed master secret included.
	Secrets int
	// Keys counts customer-managed KMS keys.
	Keys int
	// CacheTTL is how often each instance refetches a secret.
	CacheTTL time.Duration
	// Instances read secrets through the cache.
	Instances int
	// SecretsRead is how many distinct secrets each instance reads (an upper
	// bound: every workload secret).
	SecretsRead int
	// RotationsPerMonth sums every rotated secret's rotations a month.
	RotationsPerMonth float64
	// DBInstanceClass, DBMultiAZ and DBStorageGB describe the database ("" = none).
	DBInstanceClass string
	DBMultiAZ       bool
	DBStorageGB     int
	// EndpointAZs is how many AZs the Secrets Manager endpoint spans (0 = none).
	EndpointAZs int
	// Alarms counts CloudWatch metric alarms.
	Alarms int
	// AgeRuleSecrets is how many secrets the daily AWS Config age rule evaluates.
	AgeRuleSecrets int
	// Replicas counts the replica secrets by replica region; each such
	// region also holds one key of the stack.
	Replicas map[string]int
	// ReplicatedRotationsPerMonth sums, over the replicated secrets, their
	// rotations a month times their replica regions: each new version is
	// encrypted once more in each replica region.
	ReplicatedRotationsPerMonth float64
}

// FromConfig derives the inputs from a stack's validated config; alarms is
// the number of alarms the stack registers.
func FromConfig(c config.Config, alarms int) Inputs {
	in := Inputs{Region: c.Region, Keys: 2, CacheTTL: c.Cache.TTL, Instances: c.Cache.Instances, Alarms: alarms, Secrets: len(c.Secrets)}
	var read []string
	for _, w := range c.Workloads {
		read = append(read, w.Secrets...)
	}
	slices.Sort(read)
	in.SecretsRead = len(slices.Compact(read))
	for _, s := range c.Secrets {
		if s.Rotation.Strategy.Automatic() {
			in.RotationsPerMonth += RotationsPerMonth(s.Rotation)
		} else {
			in.AgeRuleSecrets++
		}
		if s.Rotation.Strategy.Automatic() {
			in.ReplicatedRotationsPerMonth += RotationsPerMonth(s.Rotation) * float64(len(s.ReplicaRegions))
		}
	}
	in.Replicas = c.Replicas()
	if d := c.Database; d != nil {
		if d.Existing == nil {
			// The master secret RDS manages; an existing instance's
			// (like the instance itself, whose fields are then empty) is
			// its owner's bill.
			in.Secrets++
		}
		in.DBInstanceClass, in.DBMultiAZ, in.DBStorageGB = d.InstanceClass, d.MultiAZ, d.AllocatedStorageGB
		in.EndpointAZs = d.Network.AZCount
		if !d.Network.CreatesVPC() {
			in.EndpointAZs = len(d.Network.SubnetIDs)
		}
		if !d.Network.Endpoint.Creates() {
			in.EndpointAZs = 0 // an existing endpoint is its owner's
		}
	}
	return in
}

var rateExpr = regexp.MustCompile(`^rate\((\d+) (hour|hours|day|days)\)$`)

// RotationsPerMonth is how often a schedule rotates. A cron expression is
// counted as daily, the most Secrets Manager allows for most schedules, so
// the estimate errs high.
func RotationsPerMonth(r config.Rotation) float64 {
	const daysPerMonth = HoursPerMonth / 24
	if r.Days > 0 {
		return daysPerMonth / float64(r.Days)
	}
	if m := rateExpr.FindStringSubmatch(r.ScheduleExpression); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n > 0 {
			if m[2][0] == 'h' {
				return HoursPerMonth / float64(n)
			}
			return daysPerMonth / float64(n)
		}
	}
	return daysPerMonth
}

// Compute prices the inputs with the prices of their region. A region
// without prices gets every line unpriced (0, with a note), never another
// region's prices.
func Compute(in Inputs) Estimate {
	p, known := PricesFor(in.Region)
	e := Estimate{PricesAsOf: p.AsOf, Region: in.Region, PricesSource: p.Source}
	add := func(l Line, field string) {
		switch why, estimated := p.Estimated[field]; {
		case !known:
			l.Note = joinNote(l.Note, "unpriced: cost/prices.go has no prices for region "+in.Region)
		case estimated:
			l.Note = joinNote(l.Note, "estimate: "+why)
		}
		l.Quantity = round(l.Quantity, 4)
		l.Monthly = round(l.Quantity*l.UnitPrice, 2)
		e.Lines = append(e.Lines, l)
	}
	add(Line{Item: "Secrets Manager secrets", Quantity: float64(in.Secrets), Unit: "secret-month", UnitPrice: p.SecretPerMonth}, FieldSecret)
	add(Line{Item: "KMS customer-managed keys", Quantity: float64(in.Keys), Unit: "key-month", UnitPrice: p.KeyPerMonth}, FieldKey)
	var cacheCalls float64
	if in.CacheTTL > 0 {
		cacheCalls = float64(in.Instances*in.SecretsRead) * SecondsPerMonth / in.CacheTTL.Seconds()
	}
	rotationCalls := in.RotationsPerMonth * CallsPerRotation
	add(Line{Item: "Secrets Manager API calls (cache refreshes)", Quantity: cacheCalls / 10000, Unit: "10k calls", UnitPrice: p.APICallsPer10k,
		Note: "instances x secrets read x one refresh per cache TTL"}, FieldAPICalls)
	add(Line{Item: "Secrets Manager API calls (rotations)", Quantity: rotationCalls, Unit: "call", UnitPrice: p.APICallsPer10k / 10000,
		Note: "rotations a month x " + strconv.Itoa(CallsPerRotation) + " calls"}, FieldAPICalls)
	add(Line{Item: "KMS requests (one decrypt per secret read)", Quantity: (cacheCalls + rotationCalls) / 10000, Unit: "10k requests", UnitPrice: p.KMSRequestsPer10k}, FieldKMS)
	add(Line{Item: "Rotation Lambda requests", Quantity: in.RotationsPerMonth * InvocationsPerRotation, Unit: "request", UnitPrice: p.LambdaRequestsPerMillion / 1e6,
		Note: "duration stays inside the free tier"}, FieldLambda)
	if in.DBInstanceClass != "" {
		azs, mode := 1.0, "single-AZ"
		if in.DBMultiAZ {
			azs, mode = 2, "multi-AZ"
		}
		hourly, ok := p.Instances[in.DBInstanceClass]
		l := Line{Item: "RDS PostgreSQL " + in.DBInstanceClass + " " + mode, Quantity: HoursPerMonth * azs, Unit: "instance-hour", UnitPrice: hourly}
		if !ok && known {
			l.Note = "unpriced: add the class to the " + in.Region + " prices in cost/prices.go"
		}
		add(l, FieldInstances)
		add(Line{Item: "RDS gp3 storage " + mode, Quantity: float64(in.DBStorageGB) * azs, Unit: "GB-month", UnitPrice: p.GP3PerGBMonth,
			Note: "allocated storage; autoscaling growth not counted"}, FieldGP3)
	}
	if in.EndpointAZs > 0 {
		add(Line{Item: "Secrets Manager interface endpoint", Quantity: HoursPerMonth * float64(in.EndpointAZs), Unit: "AZ-hour", UnitPrice: p.EndpointPerAZHour,
			Note: "data processing ($0.01/GB) not counted"}, FieldEndpoint)
	}
	add(Line{Item: "CloudWatch alarms", Quantity: float64(in.Alarms), Unit: "alarm-month", UnitPrice: p.AlarmPerMonth}, FieldAlarm)
	if in.AgeRuleSecrets > 0 {
		add(Line{Item: "AWS Config age rule evaluations", Quantity: float64(in.AgeRuleSecrets) * HoursPerMonth / 24, Unit: "evaluation", UnitPrice: p.ConfigRuleEvaluation,
			Note: "daily; configuration items recorded by the account's recorder not counted"}, FieldConfig)
	}
	e.Lines = append(e.Lines, replicaLines(in)...)
	for _, l := range e.Lines {
		e.Total += l.Monthly
	}
	e.Total = round(e.Total, 2)
	return e
}

// joinNote adds a note to a line's.
func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// replicaLines price each replica region with its own table, or with the
// prices AWS states once for every commercial region (Uniform) when the
// table has none, and say which. Readers in a replica region are counted in
// the cache line: cache.instances is the stack's total wherever they run.
func replicaLines(in Inputs) []Line {
	var out []Line
	for _, r := range slices.Sorted(maps.Keys(in.Replicas)) {
		p, ok := PricesFor(r)
		note := "prices of " + r + " (cost/prices.go)"
		if !ok {
			p, note = Uniform, "Secrets Manager's and KMS's one price for every commercial region; "+r+" has no table in cost/prices.go"
		}
		for _, l := range []Line{
			{Item: "Secrets Manager replica secrets (" + r + ")", Quantity: float64(in.Replicas[r]), Unit: "secret-month", UnitPrice: p.SecretPerMonth,
				Note: "each replica is billed as a secret; " + note},
			{Item: "KMS customer-managed key (" + r + ")", Quantity: 1, Unit: "key-month", UnitPrice: p.KeyPerMonth, Note: note},
		} {
			l.Monthly = round(l.Quantity*l.UnitPrice, 2)
			out = append(out, l)
		}
	}
	if in.ReplicatedRotationsPerMonth > 0 {
		l := Line{Item: "KMS requests (replicating rotations)", Quantity: round(in.ReplicatedRotationsPerMonth/10000, 4), Unit: "10k requests",
			UnitPrice: Uniform.KMSRequestsPer10k, Note: "one re-encryption per rotation per replica region; " + Uniform.Source}
		l.Monthly = round(l.Quantity*l.UnitPrice, 2)
		out = append(out, l)
	}
	return out
}
