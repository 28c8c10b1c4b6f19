// Package iam holds the program's typed IAM documents, with the workload roles built from them.
//
// Every policy the program registers (key policies, secret resource policies,
// rotation roles, workload roles, cross-account grants) is a Document marshalled
// by this package, never JSON assembled from strings, so that actions, principals
// and conditions are sorted and deduplicated and two runs produce the same bytes.
package iam
