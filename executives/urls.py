app_name = "executives"
urlpatterns: list = []
