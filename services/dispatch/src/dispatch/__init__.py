"""Utility-network dispatch (村网共建 / 多网合一): partners, coordinators, tickets, billing."""
