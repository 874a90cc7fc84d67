data "flexpg_server_backups" "example" {
  server_id = flexpg_server.example.id
}

# The restore window: any time from earliest_restore_time to now can be restored (create_mode =
# "PointInTimeRestore"), from the newest full backup completed before it and the archived WAL after it.
output "restore_window_starts" {
  value = data.flexpg_server_backups.example.earliest_restore_time
}

output "latest_full_backup" {
  value = try(reverse(data.flexpg_server_backups.example.backups)[0], null)
}
