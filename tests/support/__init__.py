"""Helpers every test package shares: fakes, fixtures, emulator plumbing."""
