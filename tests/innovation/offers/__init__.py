"""Tests of technology offers, interests and the disclosure ladder."""
