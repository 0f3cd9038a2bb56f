"""Workforce statistics of companies, published under disclosure control.

This package imports nothing at load time, because ``ccus.authz.engine``
registers ``ccus.stats.facts.CompanyStatistics`` with the policies.
"""
