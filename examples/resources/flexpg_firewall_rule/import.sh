# A firewall rule is imported by its ID, /flexibleServers/<server>/firewallRules/<name>.
terraform import flexpg_firewall_rule.office /flexibleServers/example-pg/firewallRules/office
