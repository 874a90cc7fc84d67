package controller

import (
	"context"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// planDatabasePut creates a database owned by the admin login.
func (c *Controller) planDatabasePut(op store.Operation) (plan, error) {
	var p DatabasePayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	name := op.Server
	d := p.Database
	return plan{
		steps: []step{{"createDatabase", func(ctx context.Context, r *run) error {
			login, err := c.adminLogin(name)
			if err != nil {
				return err
			}
			return c.withSession(ctx, name, func(s Session) error {
				return s.CreateDatabase(ctx, d.Name, d.Charset, d.Collation, login)
			})
		}}},
		finish: func(tx *store.Tx, r *run) error {
			return tx.PutDatabase(store.Database{Database: d, Server: name, Ready: true})
		},
	}, nil
}

// planDatabaseDelete drops a database (disconnecting its sessions).
func (c *Controller) planDatabaseDelete(op store.Operation) (plan, error) {
	var p DatabasePayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	name := op.Server
	return plan{
		steps: []step{{"dropDatabase", func(ctx context.Context, r *run) error {
			return c.withSession(ctx, name, func(s Session) error { return s.DropDatabase(ctx, p.Database.Name) })
		}}},
		finish: func(tx *store.Tx, r *run) error { return tx.DeleteDatabase(name, p.Database.Name) },
	}, nil
}
