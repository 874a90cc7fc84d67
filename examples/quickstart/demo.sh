#!/usr/bin/env bash
# make demo: start the local cloud, apply this example with the freshly built provider, connect with psql.
# make demo-down: destroy it and stop the cloud.
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
action=${2:-up}
here=$(cd "$(dirname "$0")" && pwd)
state="$here/.demo"
mkdir -p "$state"
chmod 700 "$state"

# Use the provider binary we just built instead of a registry download (no registry is needed).
cat >"$state/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "flexpg/flexpg" = "$(dirname "$bin")"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$state/terraformrc"
export TF_IN_AUTOMATION=1
tf() { terraform -chdir="$here" "$@"; }

if [ ! -s "$state/password" ]; then
  # A throwaway password for the demo server; it never appears in Terraform state as plain text output.
  printf 'Demo-%s!' "$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')" >"$state/password"
  chmod 600 "$state/password"
fi
export TF_VAR_admin_password
TF_VAR_admin_password=$(cat "$state/password")

if [ "$action" = down ]; then
  tf destroy -auto-approve -state="$state/terraform.tfstate"
  "$bin" cloud down
  exit 0
fi

"$bin" cloud up
tf apply -auto-approve -state="$state/terraform.tfstate"
tf output -state="$state/terraform.tfstate" -raw ca_certificate_pem >"$state/ca.crt"
conninfo="$(tf output -state="$state/terraform.tfstate" -raw psql_conninfo) sslrootcert=$state/ca.crt"

echo
echo "Connecting with psql (TLS, certificate verified against the cloud CA):"
PGPASSWORD=$TF_VAR_admin_password psql "$conninfo" -c \
  "select current_user, version(), (select version from pg_stat_ssl where pid = pg_backend_pid()) as tls"
echo
echo "Connect yourself:"
echo "  PGPASSWORD=\$(cat $state/password) psql \"$conninfo\""
echo "or: $bin cloud psql quickstart -d app   (asks for the password)"
echo "Tear down with: make demo-down"
