from django.urls import path

from executives.views import contacts

app_name = "executives"
urlpatterns: list = [
    path("units/<int:pk>/committee/contacts/", contacts.ContactsView.as_view(), name="contacts"),
    path("units/<int:pk>/committee/contacts.xlsx", contacts.ContactFiguresExportView.as_view(), name="contacts_export"),
    path("offices/<int:pk>/contacts/", contacts.ContactListEditView.as_view(), name="contact_list_edit"),
    path("contact-visits/<int:pk>/edit/", contacts.ContactVisitEditView.as_view(), name="contact_visit_edit"),
    path("named-contacts/<int:pk>/edit/", contacts.NamedContactEditView.as_view(), name="named_contact_edit"),
    path("named-contacts/<int:pk>/erase/", contacts.NamedContactEraseView.as_view(), name="named_contact_erase"),
]
