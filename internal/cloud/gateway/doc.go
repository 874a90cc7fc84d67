// Package gateway owns the stable 127.0.0.1:<port> host endpoints of public-access servers.
//
// A process on the machine (Terraform, psql, a test) connects to an endpoint; the gateway reads the first
// PostgreSQL message, checks the TCP peer address of that connection against the server's firewall rules and
// either forwards the connection byte for byte to the current backend container or answers the way PostgreSQL
// itself would have answered. Forwarded connections are never decrypted: an SSLRequest goes to the backend
// and TLS stays end to end between the client and PostgreSQL.
//
// Answers the gateway gives itself:
//
//   - Address not allowed (or plaintext while require_secure_transport is on): FATAL 28000
//     `no pg_hba.conf entry for host "<ip>", user "<user>", database "<db>", SSL encryption|no encryption`.
//     For an SSLRequest the gateway first completes the TLS handshake with the server's own certificate
//     (Policy.RefusalTLS) so the client reads the error inside TLS, exactly as from PostgreSQL. Without a
//     certificate it answers 'N' and lets the client continue in plaintext.
//   - No backend (target down, or the dial fails): FATAL 57P03 "the database system is not accepting
//     connections". The gateway negotiates encryption the same way as for a refusal (TLS when it holds the
//     certificate, otherwise 'N') before sending it, because PostgreSQL also finishes SSL negotiation before
//     it reports that it cannot accept connections; a client with sslmode=require therefore sees the 57P03
//     error rather than a TLS failure.
//   - A CancelRequest from a refused address, malformed first messages and clients that stay silent past the
//     startup deadline are closed without an answer (PostgreSQL only logs those).
//
// Policy and backend changes take effect for the next connection as soon as SetPolicy / SetBackend return;
// established sessions are left alone by a policy change, as the service does. A backend change (the primary
// moved after a failover) closes the sessions spliced to the old backend, so their clients see the
// connection end and reconnect to the new primary instead of waiting on an instance that is gone.
package gateway
