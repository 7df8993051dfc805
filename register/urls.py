from django.urls import path

from register import views_excel

app_name = "register"
urlpatterns: list = []

# Excel: the template, the import, the export of the register and the 通讯录 (register/excel.py).
urlpatterns += [
    path("units/<int:pk>/register/template.xlsx", views_excel.RegisterTemplateView.as_view(), name="register_template"),
    path("units/<int:pk>/register/import/", views_excel.RegisterImportView.as_view(), name="register_import"),
    path("units/<int:pk>/register/export.xlsx", views_excel.RegisterExportView.as_view(), name="register_export"),
    path("units/<int:pk>/register/contacts.xlsx", views_excel.ContactsExportView.as_view(), name="contacts_export"),
]
