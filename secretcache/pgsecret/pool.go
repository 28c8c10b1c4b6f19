package pgsecret

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool is a *pgxpool.Pool whose Acquire, and every query method built on it
// (Exec, Query, QueryRow, Begin, BeginTx, SendBatch, CopyFrom, AcquireFunc,
// Ping), survives a password rotation: an Acquire whose new connection was
// refused for authentication is retried after the Connector found the
// credential that works. The methods not redefined here (Stat, Close,
// Config, Reset...) are pgxpool's and open no connection.
type Pool struct {
	*pgxpool.Pool
	conn *Connector
}

// NewPool builds a pool for the connector's database. configure, if not
// nil, adjusts pool settings (sizes, lifetimes, hooks) before the pool
// starts; BeforeConnect and AfterConnect hooks it sets run after the
// connector's.
func NewPool(ctx context.Context, k *Connector, configure func(*pgxpool.Config)) (*Pool, error) {
	pc, err := k.basePoolConfig(ctx)
	if err != nil {
		return nil, err
	}
	if configure != nil {
		configure(pc)
	}
	before, after := pc.BeforeConnect, pc.AfterConnect
	pc.BeforeConnect = func(ctx context.Context, cfg *pgx.ConnConfig) error {
		if err := k.BeforeConnect(ctx, cfg); err != nil || before == nil {
			return err
		}
		return before(ctx, cfg)
	}
	pc.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if err := k.AfterConnect(ctx, conn); err != nil || after == nil {
			return err
		}
		return after(ctx, conn)
	}
	p, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("new database pool: %w", err)
	}
	return &Pool{Pool: p, conn: k}, nil
}

// Acquire returns a connection from the pool, retrying a new connection
// refused with SQLSTATE 28P01 (see Connector.recover). Retrying is safe
// because the refused login sent no statement.
func (p *Pool) Acquire(ctx context.Context) (*pgxpool.Conn, error) {
	for attempt := 0; ; attempt++ {
		since := p.conn.now()
		c, err := p.Pool.Acquire(ctx)
		if err == nil {
			return c, nil
		}
		if again, rerr := p.conn.retry(ctx, err, since, attempt); !again {
			return nil, errors.Join(err, rerr)
		}
	}
}

// AcquireFunc runs f with an acquired connection and releases it.
func (p *Pool) AcquireFunc(ctx context.Context, f func(*pgxpool.Conn) error) error {
	c, err := p.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return f(c)
}

// Ping checks that a connection can be acquired and answers.
func (p *Pool) Ping(ctx context.Context) error {
	return p.AcquireFunc(ctx, func(c *pgxpool.Conn) error { return c.Ping(ctx) })
}

// Exec runs sql on an acquired connection.
func (p *Pool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	c, err := p.Acquire(ctx)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer c.Release()
	return c.Exec(ctx, sql, args...)
}

// Query runs sql; the connection goes back to the pool when the rows are
// closed or fully read.
func (p *Pool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c, err := p.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		c.Release()
		return nil, err
	}
	return &releasingRows{Rows: rows, c: c}, nil
}

// QueryRow runs sql and scans its first row; errors surface in Scan, as
// with pgx.
func (p *Pool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := p.Query(ctx, sql, args...)
	return firstRow{rows: rows, err: err}
}

// Begin starts a transaction; the connection goes back to the pool at
// Commit or Rollback.
func (p *Pool) Begin(ctx context.Context) (pgx.Tx, error) {
	return p.BeginTx(ctx, pgx.TxOptions{})
}

// BeginTx is Begin with options.
func (p *Pool) BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	c, err := p.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := c.BeginTx(ctx, opts)
	if err != nil {
		c.Release()
		return nil, err
	}
	return &releasingTx{Tx: tx, c: c}, nil
}

// SendBatch sends b on an acquired connection; the connection goes back to
// the pool when the results are closed.
func (p *Pool) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	c, err := p.Acquire(ctx)
	if err != nil {
		return errBatch{err: err}
	}
	return &releasingBatch{BatchResults: c.SendBatch(ctx, b), c: c}
}

// CopyFrom runs a COPY FROM on an acquired connection.
func (p *Pool) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	c, err := p.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Release()
	return c.CopyFrom(ctx, table, columns, src)
}

// releasingBatch releases its connection when the results are closed.
type releasingBatch struct {
	pgx.BatchResults
	c *pgxpool.Conn
}

// Close closes the results and releases the connection.
func (b *releasingBatch) Close() error {
	err := b.BatchResults.Close()
	if b.c != nil {
		b.c.Release()
		b.c = nil
	}
	return err
}

// errBatch is the BatchResults of a batch that never got a connection.
type errBatch struct{ err error }

// Exec returns the acquire error.
func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }

// Query returns the acquire error.
func (b errBatch) Query() (pgx.Rows, error) { return nil, b.err }

// QueryRow returns a row whose Scan returns the acquire error.
func (b errBatch) QueryRow() pgx.Row { return firstRow{err: b.err} }

// Close returns the acquire error.
func (b errBatch) Close() error { return b.err }

// Tx returns nil: no transaction was begun.
func (b errBatch) Tx() pgx.Tx { return nil }

// releasingRows releases its connection once the rows are done.
type releasingRows struct {
	pgx.Rows
	c *pgxpool.Conn
}

func (r *releasingRows) release() {
	if r.c != nil {
		r.c.Release()
		r.c = nil
	}
}

// Next releases the connection when the rows run out (pgx closes them then).
func (r *releasingRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.release()
	return false
}

// Close closes the rows and releases the connection.
func (r *releasingRows) Close() {
	r.Rows.Close()
	r.release()
}

// firstRow is pgx.Row over Pool.Query.
type firstRow struct {
	rows pgx.Rows
	err  error
}

// Scan scans the first row, or returns pgx.ErrNoRows.
func (r firstRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// releasingTx releases its connection when the transaction ends.
type releasingTx struct {
	pgx.Tx
	c *pgxpool.Conn
}

func (t *releasingTx) release() {
	if t.c != nil {
		t.c.Release()
		t.c = nil
	}
}

// Commit commits and releases the connection.
func (t *releasingTx) Commit(ctx context.Context) error {
	err := t.Tx.Commit(ctx)
	t.release() // a failed Commit ends the transaction too
	return err
}

// Rollback rolls back and releases the connection (once, after Commit too).
func (t *releasingTx) Rollback(ctx context.Context) error {
	err := t.Tx.Rollback(ctx)
	t.release()
	return err
}
