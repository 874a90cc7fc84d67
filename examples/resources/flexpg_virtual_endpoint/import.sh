# A virtual endpoint is imported by its ID, /flexibleServers/<server it was created on>/virtualEndpoints/<name>;
# the ID stays the same after a promotion.
terraform import flexpg_virtual_endpoint.app /flexibleServers/example-pg/virtualEndpoints/example-pg-app
