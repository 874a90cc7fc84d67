// Package netguard keeps private access private on this machine. Every subnet of a virtual network is a
// Docker bridge network, and the host keeps its address on each bridge (packets to a subnet without a local
// route would leave the machine), so isolation is made here with iptables instead:
//
//   - containers in different subnets of one VNet reach each other directly, with their real addresses;
//   - subnets of different VNets stay apart (Docker's own isolation between bridges does that);
//   - processes on the host cannot open connections to PostgreSQL or PgBouncer ports in any subnet, except
//     the cloud's own management connections, whose sockets carry ManagementMark.
//
// Every rule lives in three chains this package owns, named after the cloud's short ID, and reached by one
// jump each from a standard chain. Nothing else on the machine is changed, and Close or Sweep removes it all.
package netguard
