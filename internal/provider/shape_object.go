package provider

import (
	"context"
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// object names one object of the cloud, for the client calls that act on it and for the diagnostics and logs
// of its resource. Every flexpg object is either top-level (a server, a virtual network, a zone) or the
// child of one (a firewall rule of a server, a subnet of a network), so a name and a parent are enough.
type object struct {
	Kind   string // title case, for summaries: "Firewall Rule"
	Noun   string // lower case, for sentences and logs: "firewall rule"
	What   string // the object in a sentence: `firewall rule "office" of server "db1"`
	ID     string
	Name   string    // the name the client calls take
	Parent parentRef // zero for a top-level object
}

// parentRef is the object a child lives under.
type parentRef struct {
	Attribute string // the child's attribute that holds the parent's ID, set on import: "server_id"
	ID        string
	Name      string // the name the client calls take
	Noun      string // "server"
}

func topObject(kind, noun, id, name string) object {
	return object{Kind: kind, Noun: noun, What: fmt.Sprintf("%s %q", noun, name), ID: id, Name: name}
}

func childObject(kind, noun, id, name string, parent parentRef) object {
	return object{Kind: kind, Noun: noun, What: fmt.Sprintf("%s %q of %s %q", noun, name, parent.Noun, parent.Name),
		ID: id, Name: name, Parent: parent}
}

func serverParent(server string) parentRef { return serverParentAt("server_id", server) }

// serverParentAt is the server a child lives under, named by the child's attribute attribute (a virtual
// endpoint's source_server_id).
func serverParentAt(attribute, server string) parentRef {
	return parentRef{Attribute: attribute, ID: spec.ServerID(server), Name: server, Noun: "server"}
}

func virtualNetworkParent(vnet string) parentRef {
	return parentRef{Attribute: "virtual_network_id", ID: spec.VirtualNetworkID(vnet), Name: vnet, Noun: "virtual network"}
}

// privateDNSZoneParent takes the lowercase zone name: zone names are case-insensitive and IDs use lowercase.
func privateDNSZoneParent(zone string) parentRef {
	return parentRef{Attribute: "private_dns_zone_id", ID: spec.PrivateDNSZoneID(zone), Name: zone, Noun: "private DNS zone"}
}

// childCalls are the client calls of a resource whose objects live under a parent (a firewall rule under a
// server, a subnet under a network), as method expressions: (*client.Client).GetFirewallRule, and so on.
// Embedded in a resource's API, they are its finder, put and remove.
type childCalls[A any] struct {
	get func(*client.Client, context.Context, string, string) (*A, error)
	set func(*client.Client, context.Context, string, A) (*model.Operation, error)
	del func(*client.Client, context.Context, string, string) (*model.Operation, error)
}

func children[A any](get func(*client.Client, context.Context, string, string) (*A, error),
	set func(*client.Client, context.Context, string, A) (*model.Operation, error),
	del func(*client.Client, context.Context, string, string) (*model.Operation, error)) childCalls[A] {
	return childCalls[A]{get: get, set: set, del: del}
}

func (k childCalls[A]) find(ctx context.Context, c *client.Client, o object) (*A, error) {
	return k.get(c, ctx, o.Parent.Name, o.Name)
}

func (k childCalls[A]) put(ctx context.Context, c *client.Client, o object, body A) (*model.Operation, error) {
	return k.set(c, ctx, o.Parent.Name, body)
}

func (k childCalls[A]) remove(ctx context.Context, c *client.Client, o object) (*model.Operation, error) {
	return k.del(c, ctx, o.Parent.Name, o.Name)
}

// topCalls are the client calls of a top-level resource whose document names itself (a virtual network, a
// private DNS zone).
type topCalls[A any] struct {
	get func(*client.Client, context.Context, string) (*A, error)
	set func(*client.Client, context.Context, A) (*model.Operation, error)
	del func(*client.Client, context.Context, string) (*model.Operation, error)
}

func tops[A any](get func(*client.Client, context.Context, string) (*A, error),
	set func(*client.Client, context.Context, A) (*model.Operation, error),
	del func(*client.Client, context.Context, string) (*model.Operation, error)) topCalls[A] {
	return topCalls[A]{get: get, set: set, del: del}
}

func (k topCalls[A]) find(ctx context.Context, c *client.Client, o object) (*A, error) {
	return k.get(c, ctx, o.Name)
}

func (k topCalls[A]) put(ctx context.Context, c *client.Client, _ object, body A) (*model.Operation, error) {
	return k.set(c, ctx, body)
}

func (k topCalls[A]) remove(ctx context.Context, c *client.Client, o object) (*model.Operation, error) {
	return k.del(c, ctx, o.Name)
}
