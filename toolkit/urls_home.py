"""The partner home, posters and leaflets (issue 19)."""

urlpatterns: list = []
