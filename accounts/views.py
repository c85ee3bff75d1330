from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def account_home(request):
    """The signed-in person's own account page: their login and security settings."""
    return render(request, "accounts/account_home.html")
