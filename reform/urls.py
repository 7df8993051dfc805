from django.urls import path

from reform import views, views_reports, views_weekly

app_name = "reform"
urlpatterns = [
    path("units/<int:pk>/reform/", views.ReformView.as_view(), name="overview"),
    path("units/<int:pk>/checklist/", views.ChecklistView.as_view(), name="checklist"),
    path("units/<int:pk>/problems/", views.ProblemListView.as_view(), name="problems"),
    path("units/<int:pk>/tasks/", views.TasksView.as_view(), name="tasks"),
    path("units/<int:pk>/diagnosis/", views.DiagnosisView.as_view(), name="diagnosis"),
    path("units/<int:pk>/diagnosis.xlsx", views.DiagnosisExportView.as_view(), name="diagnosis_export"),
    path("units/<int:pk>/campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("units/<int:pk>/campaigns/<int:campaign_pk>/", views.CampaignView.as_view(), name="campaign"),
    path("units/<int:pk>/visits/", views.VisitListView.as_view(), name="visits"),
    path("units/<int:pk>/weekly-report/", views_weekly.WeeklyReportView.as_view(), name="weekly"),
    path("units/<int:pk>/weekly-report.docx", views_weekly.WeeklyDocxView.as_view(), name="weekly_docx"),
    path("visits/<int:pk>/", views.VisitView.as_view(), name="visit"),
    path("units/<int:pk>/approvals/", views.ApprovalsView.as_view(), name="approvals"),
    path("units/<int:pk>/reports/", views_reports.ReportsView.as_view(), name="reports"),
    path("units/<int:pk>/reports/<int:plan_pk>/<str:end>/", views_reports.ReportView.as_view(), name="report"),
    path("units/<int:pk>/report-plans/<int:plan_pk>/", views_reports.PlanView.as_view(), name="report_plan"),
    path(
        "units/<int:pk>/report-plans/<int:plan_pk>/<str:end>/",
        views_reports.PeriodView.as_view(),
        name="report_period",
    ),
    path(
        "units/<int:pk>/report-plans/<int:plan_pk>/<str:end>.xlsx",
        views_reports.PeriodExportView.as_view(),
        name="report_period_export",
    ),
    path("checklist-items/<int:pk>/", views.ItemView.as_view(), name="item"),
    path("problems/<int:pk>/", views.ProblemView.as_view(), name="problem"),
    path("evidence/<int:pk>/", views.EvidenceView.as_view(), name="evidence"),
]
