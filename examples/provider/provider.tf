terraform {
  required_providers {
    flexpg = {
      source = "flexpg/flexpg"
    }
  }
}

# With no arguments the provider uses the local cloud on this machine and
# starts it on first use (Docker must be running).
provider "flexpg" {}

# To use a cloud started elsewhere (for example `terraform-provider-flexpg cloud serve`
# on a CI runner), set the endpoint and token, or FLEXPG_ENDPOINT and FLEXPG_TOKEN.
# provider "flexpg" {
#   endpoint = "http://127.0.0.1:8642"
#   token    = var.flexpg_token
# }
