package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// inSubnet runs a command with `cloud run` (the real binary) in a throwaway container on a subnet.
func inSubnet(t *testing.T, bin string, cloud *cloudtest.Cloud, subnetID string, env []string, command ...string) (string, int) {
	t.Helper()
	args := []string{"cloud", "run", "-subnet", subnetID}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	cmd := exec.Command(bin, append(append(args, "--"), command...)...)
	cmd.Env = append(os.Environ(), "FLEXPG_ENDPOINT="+cloud.Endpoint(), "FLEXPG_TOKEN="+cloud.Token(), "FLEXPG_TEST_RUN="+cloudtest.RunLabel())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("cloud run: %v\n%s", err, out)
	}
	return string(out), 0
}

// TestPrivateAccess: a server in a delegated subnet gets a private address and no host endpoint; clients in
// its VNet (another subnet) resolve its FQDN and connect with verify-full, showing their real address; a VNet
// linked to the zone resolves it; an unlinked VNet does not; the machine cannot connect to it; and the
// documented refusals hold.
func TestPrivateAccess(t *testing.T) {
	needDocker(t)
	bin := buildBinary(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	do := waiter(t, c)

	do(c.PutVirtualNetwork(ctx, model.VirtualNetwork{Name: "vnet-a", Location: "westeurope", AddressSpace: []string{"10.213.0.0/16"}}))
	do(c.PutVirtualNetwork(ctx, model.VirtualNetwork{Name: "vnet-b", Location: "westeurope", AddressSpace: []string{"10.214.0.0/16"}}))
	do(c.PutVirtualNetwork(ctx, model.VirtualNetwork{Name: "vnet-c", Location: "westeurope", AddressSpace: []string{"10.215.0.0/16"}}))
	do(c.PutSubnet(ctx, "vnet-a", model.Subnet{Name: "db", AddressPrefix: "10.213.1.0/24", Delegation: "Microsoft.DBforPostgreSQL/flexibleServers"}))
	do(c.PutSubnet(ctx, "vnet-a", model.Subnet{Name: "app", AddressPrefix: "10.213.2.0/24"}))
	do(c.PutSubnet(ctx, "vnet-b", model.Subnet{Name: "other", AddressPrefix: "10.214.1.0/24"}))
	do(c.PutSubnet(ctx, "vnet-c", model.Subnet{Name: "linked", AddressPrefix: "10.215.1.0/24"}))
	do(c.PutPrivateDNSZone(ctx, model.PrivateDNSZone{Name: "corp.postgres.flexpg.internal"}))
	do(c.PutPrivateDNSZoneLink(ctx, "corp.postgres.flexpg.internal", model.PrivateDNSZoneLink{Name: "to-a", VirtualNetworkID: "/virtualNetworks/vnet-a"}))
	do(c.PutPrivateDNSZoneLink(ctx, "corp.postgres.flexpg.internal", model.PrivateDNSZoneLink{Name: "to-c", VirtualNetworkID: "/virtualNetworks/vnet-c"}))
	t.Cleanup(func() { cleanupNetworks(c) })

	name := "it-private"
	pub := false
	do(c.PutServer(ctx, name, model.Server{Name: name, Location: "westeurope", Version: "17", SKUName: "GP_Standard_D2s_v3",
		AdministratorLogin: "pgadmin", AdministratorPassword: canary, PublicNetworkAccessEnabled: &pub,
		DelegatedSubnetID: "/virtualNetworks/vnet-a/subnets/db", PrivateDNSZoneID: "/privateDnsZones/corp.postgres.flexpg.internal"}, true))
	srv, err := c.GetServer(ctx, name)
	if err != nil || srv.Host != "" || srv.Port != 0 || srv.State != "Ready" {
		t.Fatalf("private server %+v %v", srv, err)
	}
	fqdn := srv.FQDN

	t.Run("same VNet: resolves, verify-full, real client address", func(t *testing.T) {
		out, code := inSubnet(t, bin, cloud, "/virtualNetworks/vnet-a/subnets/app", nil, "getent", "hosts", fqdn)
		if code != 0 || !strings.HasPrefix(out, "10.213.1.") {
			t.Fatalf("resolve from vnet-a/app: %d %q", code, out)
		}
		out, code = inSubnet(t, bin, cloud, "/virtualNetworks/vnet-a/subnets/app", []string{"PGPASSWORD=" + canary},
			"psql", "host="+fqdn+" user=pgadmin dbname=postgres sslmode=verify-full", "-XAtc",
			"select host(inet_client_addr()) || ' ' || (select version from pg_stat_ssl where pid = pg_backend_pid())")
		if code != 0 || !strings.HasPrefix(out, "10.213.2.") || !strings.Contains(out, "TLSv1.") {
			t.Fatalf("psql from vnet-a/app: %d %q", code, out)
		}
		out, code = inSubnet(t, bin, cloud, "/virtualNetworks/vnet-a/subnets/app", nil, "getent", "hosts", name+".corp.postgres.flexpg.internal")
		if code != 0 || !strings.HasPrefix(out, "10.213.1.") {
			t.Fatalf("zone record from vnet-a/app: %d %q", code, out)
		}
	})

	t.Run("linked VNet resolves, unlinked does not", func(t *testing.T) {
		if out, code := inSubnet(t, bin, cloud, "/virtualNetworks/vnet-c/subnets/linked", nil, "getent", "hosts", fqdn); code != 0 || !strings.HasPrefix(out, "10.213.1.") {
			t.Fatalf("resolve from linked vnet-c: %d %q", code, out)
		}
		if out, code := inSubnet(t, bin, cloud, "/virtualNetworks/vnet-b/subnets/other", nil, "getent", "hosts", fqdn); code == 0 {
			t.Fatalf("unlinked vnet-b resolved the server: %q", out)
		}
	})

	t.Run("the machine cannot reach the server", func(t *testing.T) {
		ip := privateIP(t, bin, cloud, fqdn)
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip, "5432"), 3*time.Second)
		if err == nil {
			conn.Close()
			t.Fatal("connected to a private server from the machine")
		}
		if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ECONNRESET) {
			t.Logf("refused with %v", err)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		_, err := c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "x", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"})
		if !errors.Is(err, client.ErrConflict) || !strings.Contains(err.Error(), "private") {
			t.Errorf("firewall rule on a private server: %v", err)
		}
		for what, call := range map[string]func() (*model.Operation, error){
			"subnet": func() (*model.Operation, error) { return c.DeleteSubnet(ctx, "vnet-a", "db") },
			"zone":   func() (*model.Operation, error) { return c.DeletePrivateDNSZone(ctx, "corp.postgres.flexpg.internal") },
			"link": func() (*model.Operation, error) {
				return c.DeletePrivateDNSZoneLink(ctx, "corp.postgres.flexpg.internal", "to-a")
			},
		} {
			if _, err := call(); !errors.Is(err, client.ErrConflict) || !strings.Contains(err.Error(), name) {
				t.Errorf("deleting the %s used by the server: %v", what, err)
			}
		}
		_, err = c.PutSubnet(ctx, "vnet-a", model.Subnet{Name: "db", AddressPrefix: "10.213.8.0/22", Delegation: "Microsoft.DBforPostgreSQL/flexibleServers"})
		if !errors.Is(err, client.ErrInvalid) {
			t.Errorf("resizing a subnet that holds a server: %v", err)
		}
		_, err = c.PutSubnet(ctx, "vnet-a", model.Subnet{Name: "GatewaySubnet", AddressPrefix: "10.213.9.0/24"})
		if !errors.Is(err, client.ErrInvalid) {
			t.Errorf("reserved subnet name: %v", err)
		}
		_, err = c.PutSubnet(ctx, "vnet-a", model.Subnet{Name: "overlap", AddressPrefix: "10.213.1.128/25"})
		if !errors.Is(err, client.ErrInvalid) {
			t.Errorf("overlapping subnet: %v", err)
		}
		pub := false
		_, err = c.PutServer(ctx, "it-undelegated", model.Server{Name: "it-undelegated", Location: "westeurope", Version: "17",
			SKUName: "GP_Standard_D2s_v3", AdministratorLogin: "pgadmin", AdministratorPassword: canary, PublicNetworkAccessEnabled: &pub,
			DelegatedSubnetID: "/virtualNetworks/vnet-a/subnets/app", PrivateDNSZoneID: "/privateDnsZones/corp.postgres.flexpg.internal"}, true)
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || apiErr.Field != "delegated_subnet_id" {
			t.Errorf("server in an undelegated subnet: %v", err)
		}
		_, err = c.PutServer(ctx, "it-region", model.Server{Name: "it-region", Location: "eastus", Version: "17",
			SKUName: "GP_Standard_D2s_v3", AdministratorLogin: "pgadmin", AdministratorPassword: canary, PublicNetworkAccessEnabled: &pub,
			DelegatedSubnetID: "/virtualNetworks/vnet-a/subnets/db", PrivateDNSZoneID: "/privateDnsZones/corp.postgres.flexpg.internal"}, true)
		if !errors.As(err, &apiErr) || apiErr.Field != "delegated_subnet_id" {
			t.Errorf("server in a VNet of another region: %v", err)
		}
	})

	t.Run("records follow the server across stop and start", func(t *testing.T) {
		do(c.StopServer(ctx, name))
		do(c.StartServer(ctx, name))
		out, code := inSubnet(t, bin, cloud, "/virtualNetworks/vnet-a/subnets/app", []string{"PGPASSWORD=" + canary},
			"psql", "host="+fqdn+" user=pgadmin dbname=postgres sslmode=verify-full", "-XAtc", "select 'back'")
		if code != 0 || strings.TrimSpace(out) != "back" {
			t.Fatalf("after restart: %d %q", code, out)
		}
	})

	t.Run("a private replica and virtual endpoint resolve and connect inside the VNet", func(t *testing.T) {
		privateReplica(t, bin, cloud, c, name)
	})
	t.Run("a private replica in another region streams from its own VNet", func(t *testing.T) {
		crossRegionReplica(t, bin, cloud, c, name)
	})

	do(c.DeleteServer(ctx, name))
	cleanupNetworks(c)
	st, err := c.Status(ctx)
	if err != nil || len(st.Unowned) != 0 {
		t.Fatalf("unowned after cleanup: %+v %v", st, err)
	}
	if left := leftOver(st); len(left) != 0 {
		t.Errorf("left after cleanup: %+v", left)
	}
}

// privateIP resolves the server from inside its VNet (the machine has no resolver for it).
func privateIP(t *testing.T, bin string, cloud *cloudtest.Cloud, fqdn string) string {
	out, code := inSubnet(t, bin, cloud, "/virtualNetworks/vnet-a/subnets/app", nil, "getent", "hosts", fqdn)
	if code != 0 {
		t.Fatalf("resolve %s: %q", fqdn, out)
	}
	return strings.Fields(out)[0]
}

// cleanupNetworks deletes what TestPrivateAccess created, ignoring what is already gone.
func cleanupNetworks(c *client.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	wait := func(op *model.Operation, err error) {
		if err == nil {
			_, _ = c.Wait(ctx, op, nil)
		}
	}
	wait(c.DeleteServer(ctx, "it-private-north"))
	wait(c.DeletePrivateDNSZoneLink(ctx, "north.postgres.flexpg.internal", "to-d"))
	wait(c.DeletePrivateDNSZone(ctx, "north.postgres.flexpg.internal"))
	wait(c.DeletePrivateDNSZoneLink(ctx, "corp.postgres.flexpg.internal", "to-a"))
	wait(c.DeletePrivateDNSZoneLink(ctx, "corp.postgres.flexpg.internal", "to-c"))
	wait(c.DeletePrivateDNSZone(ctx, "corp.postgres.flexpg.internal"))
	for _, s := range [][2]string{{"vnet-a", "db"}, {"vnet-a", "app"}, {"vnet-b", "other"}, {"vnet-c", "linked"}, {"vnet-d", "db"}, {"vnet-d", "app"}} {
		wait(c.DeleteSubnet(ctx, s[0], s[1]))
	}
	for _, v := range []string{"vnet-a", "vnet-b", "vnet-c", "vnet-d"} {
		wait(c.DeleteVirtualNetwork(ctx, v))
	}
}

// privateReplica: a replica of a private server takes its subnet and DNS zone (seed 004), has no host
// endpoint, streams inside the VNet, and a virtual endpoint's writer and reader names resolve in the VNet to
// the primary and the replica, verified with verify-full.
func privateReplica(t *testing.T, bin string, cloud *cloudtest.Cloud, c *client.Client, primary string) {
	ctx := context.Background()
	do := waiter(t, c)
	replica := primary + "-r"
	do(c.PutServer(ctx, replica, model.Server{Name: replica, CreateMode: spec.CreateModeReplica, SourceServerID: spec.ServerID(primary)}, true))
	r, err := c.GetServer(ctx, replica)
	if err != nil || r.Host != "" || r.Port != 0 || r.DelegatedSubnetID != "/virtualNetworks/vnet-a/subnets/db" ||
		r.PrivateDNSZoneID != "/privateDnsZones/corp.postgres.flexpg.internal" || r.ReplicationState != spec.ReplicationStateActive {
		t.Fatalf("private replica %+v %v", r, err)
	}
	do(c.PutVirtualEndpoint(ctx, primary, model.VirtualEndpoint{Name: "it-private-ve", ReplicaServerID: spec.ServerID(replica)}))
	ve, err := c.GetVirtualEndpoint(ctx, primary, "it-private-ve")
	if err != nil || ve.WriterPort != 0 || ve.ReaderPort != 0 {
		t.Fatalf("private virtual endpoint %+v %v", ve, err)
	}
	for host, want := range map[string]string{ve.WriterFQDN: "f", ve.ReaderFQDN: "t", r.FQDN: "t"} {
		out, code := inSubnet(t, bin, cloud, "/virtualNetworks/vnet-a/subnets/app", []string{"PGPASSWORD=" + canary},
			"psql", "host="+host+" user=pgadmin dbname=postgres sslmode=verify-full", "-XAtc", "select pg_is_in_recovery()")
		if code != 0 || strings.TrimSpace(out) != want {
			t.Errorf("%s from vnet-a/app: in recovery %q (exit %d); want %s", host, out, code, want)
		}
	}
	do(c.DeleteVirtualEndpoint(ctx, primary, "it-private-ve"))
	do(c.DeleteServer(ctx, replica))
}

// crossRegionReplica: a replica of the private server in another region, in a VNet of its own region with
// its own subnet and zone (seed 004), streams from the primary (the two delegated subnets are peered for it):
// a row written on the primary from the primary's VNet is read on the replica from the replica's VNet, while
// that VNet still cannot reach the primary itself.
func crossRegionReplica(t *testing.T, bin string, cloud *cloudtest.Cloud, c *client.Client, primary string) {
	ctx := context.Background()
	do := waiter(t, c)
	do(c.PutVirtualNetwork(ctx, model.VirtualNetwork{Name: "vnet-d", Location: "northeurope", AddressSpace: []string{"10.216.0.0/16"}}))
	do(c.PutSubnet(ctx, "vnet-d", model.Subnet{Name: "db", AddressPrefix: "10.216.1.0/24", Delegation: "Microsoft.DBforPostgreSQL/flexibleServers"}))
	do(c.PutSubnet(ctx, "vnet-d", model.Subnet{Name: "app", AddressPrefix: "10.216.2.0/24"}))
	do(c.PutPrivateDNSZone(ctx, model.PrivateDNSZone{Name: "north.postgres.flexpg.internal"}))
	do(c.PutPrivateDNSZoneLink(ctx, "north.postgres.flexpg.internal", model.PrivateDNSZoneLink{Name: "to-d", VirtualNetworkID: "/virtualNetworks/vnet-d"}))
	replica := "it-private-north"
	_, err := c.PutServer(ctx, replica, model.Server{Name: replica, CreateMode: spec.CreateModeReplica, SourceServerID: spec.ServerID(primary),
		Location: "northeurope"}, true)
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Field != "delegated_subnet_id" {
		t.Fatalf("a replica in another region without its own subnet: %v", err)
	}
	do(c.PutServer(ctx, replica, model.Server{Name: replica, CreateMode: spec.CreateModeReplica, SourceServerID: spec.ServerID(primary),
		Location: "northeurope", DelegatedSubnetID: "/virtualNetworks/vnet-d/subnets/db",
		PrivateDNSZoneID: "/privateDnsZones/north.postgres.flexpg.internal"}, true))
	r, err := c.GetServer(ctx, replica)
	if err != nil || r.ReplicationState != spec.ReplicationStateActive || r.Location != "northeurope" {
		t.Fatalf("cross-region replica %+v %v", r, err)
	}
	env := []string{"PGPASSWORD=" + canary}
	psql := func(subnet, host, sql string) (string, int) {
		out, code := inSubnet(t, bin, cloud, subnet, env, "psql", "host="+host+" user=pgadmin dbname=postgres sslmode=verify-full connect_timeout=3", "-XAtc", sql)
		return strings.TrimSpace(out), code
	}
	if out, code := psql("/virtualNetworks/vnet-a/subnets/app", spec.ServerFQDN(primary), "create table north(n int); insert into north values (42)"); code != 0 {
		t.Fatalf("write on the primary: %d %q", code, out)
	}
	if _, err := cloudtest.Eventually(ctx, 30*time.Second, func() error {
		out, code := psql("/virtualNetworks/vnet-d/subnets/app", r.FQDN, "select n from north")
		if code != 0 || out != "42" {
			return fmt.Errorf("read on the replica from vnet-d: %d %q", code, out)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ip := privateIP(t, bin, cloud, spec.ServerFQDN(primary))
	// Only the two delegated subnets are peered: vnet-d's other subnet cannot even open a TCP connection.
	if out, code := inSubnet(t, bin, cloud, "/virtualNetworks/vnet-d/subnets/app", nil, "timeout", "3", "bash", "-c", "</dev/tcp/"+ip+"/5432"); code == 0 {
		t.Fatalf("vnet-d/app opened a connection to the primary at %s: %q", ip, out)
	}
	do(c.DeleteServer(ctx, replica))
}
