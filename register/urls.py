from django.urls import path

from register import views, views_excel

app_name = "register"
urlpatterns: list = [
    path("units/<int:pk>/register/", views.OrganizationListView.as_view(), name="organizations"),
    path("units/<int:pk>/register/new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path("units/<int:pk>/register/rule/", views.RuleView.as_view(), name="rule"),
    path("register/<int:pk>/", views.OrganizationView.as_view(), name="organization_detail"),
    path("register/<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization_edit"),
]

# Excel: the template, the import, the export of the register and the 通讯录 (register/excel.py).
urlpatterns += [
    path("units/<int:pk>/register/template.xlsx", views_excel.RegisterTemplateView.as_view(), name="register_template"),
    path("units/<int:pk>/register/import/", views_excel.RegisterImportView.as_view(), name="register_import"),
    path("units/<int:pk>/register/export.xlsx", views_excel.RegisterExportView.as_view(), name="register_export"),
    path("units/<int:pk>/register/contacts.xlsx", views_excel.ContactsExportView.as_view(), name="contacts_export"),
]
