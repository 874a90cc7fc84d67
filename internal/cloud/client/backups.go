package client

import (
	"context"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// ListBackups reads a server's full backups and its earliest restore time. ErrNotFound if the server does
// not exist.
func (c *Client) ListBackups(ctx context.Context, name string) (*model.BackupList, error) {
	p, err := apiPath(serversCollection, name, "backups")
	if err != nil {
		return nil, err
	}
	return get[model.BackupList](ctx, c, p)
}
