"""Every write of survivor voices with a rule: requests (requests.py), interest and engagements
(engagements.py), paying survivors (payouts.py), consultations (consultations.py)."""
