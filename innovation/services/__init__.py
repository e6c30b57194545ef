"""Write services of the innovation app: one function per user action, imported by
module (`from innovation.services import challenges; challenges.challenge_create(...)`)."""
