from django.urls import path

from payments import admin_views

app_name = "payments_admin"

urlpatterns = [
    path("orders/", admin_views.orders, name="orders"),
    path("orders/<int:pk>/", admin_views.order_detail, name="order_detail"),
    path("payments/", admin_views.payments_list, name="payments"),
    path("payments/<int:pk>/refund/", admin_views.refund, name="refund"),
    path("donations/", admin_views.donations, name="donations"),
    path("gift-aid/", admin_views.gift_aid_export, name="gift_aid"),
    path("gift-aid/claims/<int:pk>/schedule.csv", admin_views.gift_aid_claim_download, name="gift_aid_claim_download"),
]
