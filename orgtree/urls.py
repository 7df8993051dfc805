from django.urls import path

from orgtree.views import committees, conversion, dashboard, elections, people, units

app_name = "orgtree"
urlpatterns = [
    path("units/", units.UnitListView.as_view(), name="unit_list"),
    path("units/<int:pk>/", units.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/new/", units.UnitCreateView.as_view(), name="unit_create"),
    path("units/<int:pk>/edit/", units.UnitEditView.as_view(), name="unit_edit"),
    path("units/<int:pk>/move/", units.UnitMoveView.as_view(), name="unit_move"),
    path("units/<int:pk>/close/", units.UnitCloseView.as_view(), name="unit_close"),
    path("units/<int:pk>/committee/", committees.CommitteeView.as_view(), name="committee"),
    path("units/<int:pk>/committee/duties/", committees.CommitteeDutiesView.as_view(), name="committee_duties"),
    path("units/<int:pk>/committee.xlsx", committees.CommitteeExportView.as_view(), name="committee_export"),
    path("units/<int:pk>/committee/delay/", committees.TermDelayView.as_view(), name="term_delay"),
    path("units/<int:pk>/committee/leave/", committees.OfficeLeaveView.as_view(), name="office_leave"),
    path("units/<int:pk>/committee/appoint/", committees.AppointView.as_view(), name="vice_chair_appoint"),
    path("units/<int:pk>/conversion/", conversion.ConversionGridView.as_view(), name="conversion_grid"),
    path(
        "units/<int:pk>/conversion/template.xlsx",
        conversion.ConversionTemplateView.as_view(),
        name="conversion_template",
    ),
    path("units/<int:pk>/conversion/import/", conversion.ConversionImportView.as_view(), name="conversion_import"),
    path("units/<int:pk>/conversion/edit/", conversion.ConversionEditView.as_view(), name="conversion_edit"),
    path(
        "units/<int:pk>/regionalization/template.xlsx",
        conversion.RegionalizationTemplateView.as_view(),
        name="regionalization_template",
    ),
    path(
        "units/<int:pk>/regionalization/import/",
        conversion.RegionalizationImportView.as_view(),
        name="regionalization_import",
    ),
    path("units/<int:pk>/dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("units/<int:pk>/dashboard.xlsx", dashboard.DashboardExportView.as_view(), name="dashboard_export"),
    path("units/<int:pk>/renewals/", committees.RenewalsView.as_view(), name="renewals"),
    path("units/<int:pk>/people/new/", people.PersonCreateView.as_view(), name="person_create"),
    path("units/<int:pk>/elections/new/", elections.ElectionCreateView.as_view(), name="election_create"),
    path("people/", people.PersonListView.as_view(), name="person_list"),
    path("people/duplicates/", people.DuplicatesView.as_view(), name="person_duplicates"),
    path("people/id-clashes/", people.IdClashesView.as_view(), name="id_clashes"),
    path("people/<int:pk>/", people.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", people.PersonEditView.as_view(), name="person_edit"),
    path("elections/<int:pk>/", elections.ElectionDetailView.as_view(), name="election_detail"),
    path("elections/<int:pk>/figures/", elections.ElectionFiguresView.as_view(), name="election_figures"),
    path("elections/<int:pk>/candidates/", elections.CandidateAddView.as_view(), name="candidate_add"),
    path(
        "elections/<int:pk>/candidates/<int:candidate_pk>/remove/",
        elections.CandidateRemoveView.as_view(),
        name="candidate_remove",
    ),
    path("elections/<int:pk>/officers/", elections.OfficersView.as_view(), name="election_officers"),
    path("elections/<int:pk>/certify/", elections.CertifyView.as_view(), name="election_certify"),
    path("elections/<int:pk>/amend/", elections.AmendView.as_view(), name="election_amend"),
]
