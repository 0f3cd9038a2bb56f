"""A small local OpenID Provider that replaces the national ID provider in demos.

It serves the offline demo under ``/idp`` when ``CCUS_LOCAL_IDP`` is on, and
``load_settings`` refuses it in production mode. In place of reading a My
Number card, its authorization page lists demo card holders, read from a
file of its own in the data directory: the provider is another party, and
its data is not the registry's.
"""
