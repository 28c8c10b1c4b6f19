package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// SecretGetter is the one Secrets Manager call the strategies make
// themselves (a *secretsmanager.Client satisfies it): reading the master secret, and a version of the rotated secret
// that the engine was not asked to fetch because it is needed only on a rare
// path.
type SecretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// secretReader reads whole versions by stage.
type secretReader struct {
	sm SecretGetter
}

// read returns the SecretString of secretID at stage, and false when no
// version holds the stage. The stage is always passed explicitly: moto (and a
// stale cache of intent) must not pick a version for us.
func (s secretReader) read(ctx context.Context, secretID, stage string) ([]byte, bool, error) {
	if s.sm == nil {
		return nil, false, errors.New("read secret: no Secrets Manager client configured")
	}
	out, err := s.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(secretID), VersionStage: aws.String(stage),
	})
	if err != nil {
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("get %s of %s: %w", stage, secretID, err)
	}
	if out.SecretString == nil {
		return nil, false, fmt.Errorf("get %s of %s: no SecretString", stage, secretID)
	}
	return []byte(*out.SecretString), true, nil
}

// masterLogin returns a login as the master user named by c.MasterARN on the
// server of c. The master secret is read on every use, never cached: RDS
// rotates a managed master secret on its own schedule.
func (s secretReader) masterLogin(ctx context.Context, c credentials) (login, error) {
	if c.MasterARN == "" {
		return login{}, errors.New("read master secret: the secret has no masterarn")
	}
	value, ok, err := s.read(ctx, c.MasterARN, "AWSCURRENT")
	if err != nil {
		return login{}, fmt.Errorf("read master secret: %w", err)
	}
	if !ok {
		return login{}, fmt.Errorf("read master secret %s: not found", c.MasterARN)
	}
	m, err := parseMaster(value)
	if err != nil {
		return login{}, err
	}
	l := login{host: c.Host, port: c.Port, database: c.DBName, user: m.Username, password: m.Password}
	if m.Host != "" {
		// The connector refuses it unless it is the pinned server.
		port, err := parsePort(m.Port)
		if err != nil {
			return login{}, fmt.Errorf("parse master secret: %w", err)
		}
		l.host, l.port = m.Host, port
	}
	return l, nil
}
