from django.urls import path

from payments import views_admin

app_name = "payments_admin"

urlpatterns = [
    path("orders/", views_admin.orders, name="orders"),
    path("orders/<int:pk>/", views_admin.order_detail, name="order_detail"),
    path("payments/", views_admin.payments_list, name="payments"),
    path("payments/<int:pk>/refund/", views_admin.refund, name="refund"),
    path("donations/", views_admin.donations, name="donations"),
    path("gift-aid/", views_admin.gift_aid_export, name="gift_aid"),
    path("gift-aid/claims/<int:pk>/schedule.csv", views_admin.gift_aid_claim_download, name="gift_aid_claim_download"),
]
