"""Forms: input validation for the views; services re-check every rule."""
