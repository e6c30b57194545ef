"""How Crocevia runs in production: nginx, the process list, systemd units, make prod-up."""
