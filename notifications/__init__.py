"""In-app notifications: who mentioned or answered a person, their invitations, join
decisions, role changes and moderation outcomes, fed by live's after-commit events."""
