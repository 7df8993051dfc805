from django.urls import path
from rest_framework.routers import SimpleRouter

from executives.api import contacts

router = SimpleRouter()
router.register("contact-lists", contacts.ContactListViewSet, basename="contact-list")
router.register("contact-visits", contacts.ContactVisitViewSet, basename="contact-visit")
router.register("named-contacts", contacts.NamedContactViewSet, basename="named-contact")
urlpatterns = [
    path("units/<int:pk>/contacts/", contacts.UnitContactsView.as_view(), name="unit-contacts"),
    *router.urls,
]
