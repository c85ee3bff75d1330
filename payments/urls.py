from django.urls import path

from payments import views, webhooks

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("checkout/<str:token>/", views.checkout, name="checkout"),
    path("checkout/<str:token>/pay/", views.checkout_pay, name="checkout_pay"),
    path("checkout/<str:token>/more-time/", views.checkout_extend, name="checkout_extend"),
    path("checkout/<str:token>/setup/", views.checkout_setup, name="checkout_setup"),
    path("checkout/<str:token>/done/", views.checkout_done, name="checkout_done"),
    path("monthly/cancel/<str:token>/", views.gift_cancel, name="gift_cancel"),
]
