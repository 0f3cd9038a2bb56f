"""Disclosure by consent of both the worker and the employer."""
