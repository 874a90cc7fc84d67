package daemon

import (
	"errors"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/gateway"
)

func errorsIsUnknown(err error) bool { return errors.Is(err, gateway.ErrUnknownEndpoint) }
