"""Adapters: the ports implemented over AWS, HTTP and the clock."""
