"""HTTP plumbing shared by every entrypoint: errors, request ids, request logs, health."""
