from django.urls import path

from accounts import views_partner, views_public

membership_patterns = (
    [
        path("apply/", views_public.apply, name="apply"),
        path("apply/thank-you/", views_public.apply_done, name="apply_done"),
        path("invitation/<str:token>/", views_public.invitation, name="invitation"),
        path("application/<str:token>/", views_public.application_status, name="application_status"),
        path("alumni/", views_public.alumni, name="alumni"),
        path("refer/", views_public.refer, name="refer"),
        path("refer/thank-you/", views_public.refer_done, name="refer_done"),
        path("welcome/<str:token>/", views_public.welcome, name="welcome"),
    ],
    "membership",
)
partner_patterns = (
    [
        path("referrals/", views_partner.referrals, name="referrals"),
        path("referrals/new/", views_partner.referral_new, name="referral_new"),
    ],
    "partners",
)
