"""The domain pack: an Amazon seller account in trouble.

The payload records (plan of action, documents, escalation letter), the teams that decide, the rules of the
catalog with their sources, and the account-health decision table. Importing it registers all of them
through the core's public registry; the engine itself never names any of them.
"""
