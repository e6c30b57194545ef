"""Tests of the innovation funnel."""
