// Package crossaccount shares secrets with roles in other accounts. A
// cross-account read needs three grants that agree (SECURITY-RULES 10): the
// secret's resource policy names the role, the key policy lets that role
// decrypt through Secrets Manager, and the role's own identity policy in its
// account allows both. This package writes all three; the consumer-side one
// only when the stack names a role it may assume in that account.
package crossaccount
