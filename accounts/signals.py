from django.dispatch import Signal

# Contract (sender, arguments, who receives) in core/hooks.py.
member_erased = Signal()
