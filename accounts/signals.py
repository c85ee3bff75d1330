from django.dispatch import Signal

# Sent inside the erasure transaction, after the member's own data is erased.
# Arguments: user_id (int), revoke_certificates (bool). Apps holding records about the
# member (certificates, payments) replace names there, or revoke, as the member chose.
member_erased = Signal()
