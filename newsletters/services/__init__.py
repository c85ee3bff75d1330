"""Every write of newsletters with a rule: subscriptions.py (subscribe, confirm, unsubscribe),
sending.py (mailings, deliveries, the claim protocol)."""
