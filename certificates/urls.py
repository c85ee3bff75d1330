from django.urls import path

from certificates import views

app_name = "certificates"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("learning/certificates/", views.mine, name="mine"),
    path("learning/certificates/<str:code>.pdf", views.download, name="download"),
]
