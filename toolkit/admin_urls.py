from django.urls import path

from toolkit import views_admin

app_name = "toolkit_admin"
urlpatterns = [
    path("posters/", views_admin.poster_index, name="posters"),
    path("posters/<str:kind>/<int:pk>/", views_admin.poster_subject, name="subject"),
    path("posters/<str:kind>/<int:pk>/<str:size>/<str:variant>.pdf", views_admin.poster_download, name="download"),
]
