"""Switchboard sandbox: an in-memory emulator of a Salesforce org, served over plain HTTP.

It keeps its own state and never touches the product's tables. See ``sandbox/README.md``.
"""
