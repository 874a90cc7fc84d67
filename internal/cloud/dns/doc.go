// Package dns is the simulated cloud's DNS server for private access.
//
// The cloud listens on the gateway address of every subnet and answers
// according to the virtual network the asking client sits in, which is
// decided from the client's source address (see View). There is no internet
// behind it: no recursion and no forwarding, so every name the cloud does not
// know is NXDOMAIN.
//
// The wire codec is deliberately small: it parses a query with one question
// (tolerating an EDNS OPT record), and writes A/AAAA answers, NXDOMAIN,
// NODATA, REFUSED and FORMERR. It is not a general DNS library.
package dns
