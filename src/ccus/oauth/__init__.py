"""OAuth 2.0 authorization server for machine clients.

Registered clients (contractor software, entry/exit systems, regulator
tools) obtain short-lived JWT access tokens with the client credentials
grant, and may revoke and introspect them.
"""
