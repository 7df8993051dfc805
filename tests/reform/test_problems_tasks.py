"""Problems (问题清单), evidence, key tasks, campaigns' milestones, rollups and overdue notices."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from federation.models import Notification, Role
from orgtree.conversion import record_conversion
from reform import services
from reform.figures import reform_by_child, reform_figures
from reform.models import ProblemStatus, TaskStatus
from tests.conftest import scoped_user
from tests.orgtree.test_conversion import data

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def pdf(name="整改报告.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def problem_of(tree, users, **fields):
    values = {
        "area": "organization",
        "description": "村妇联执委人数不足15人",
        "found_on": datetime.date(2026, 9, 1),
        "deadline": datetime.date(2026, 10, 31),
        "responsible": "王芳",
    }
    return services.report_problem(users.editor_a, tree.village_a1, **{**values, **fields})


def test_a_problem_goes_from_open_to_verified_by_the_level_above(tree, users):
    problem = problem_of(tree, users)
    problem = services.move_problem(users.editor_a, problem, ProblemStatus.RECTIFYING)
    with pytest.raises(ValidationError):  # resolved needs a rectification and evidence
        services.move_problem(users.editor_a, problem, ProblemStatus.RESOLVED, rectification="已补选执委")
    services.attach_evidence(users.editor_a, pdf(), problem=problem)
    problem = services.move_problem(users.editor_a, problem, ProblemStatus.RESOLVED, rectification="已补选执委")
    with pytest.raises(ValidationError):
        services.move_problem(users.editor_a, problem, ProblemStatus.OPEN)
    with pytest.raises(PermissionDenied):
        services.move_problem(users.editor_b, problem, ProblemStatus.VERIFIED)
    street = scoped_user("editor_t", tree.township_a, Role.EDITOR)  # the level directly above the village
    with pytest.raises(ValidationError):  # sending back needs a reason
        services.move_problem(street, problem, ProblemStatus.RECTIFYING)
    problem = services.move_problem(street, problem, ProblemStatus.VERIFIED)
    assert problem.status == ProblemStatus.VERIFIED and problem.verified_by == street


def resolved_problem(tree, users):
    problem = problem_of(tree, users)
    services.attach_evidence(users.editor_a, pdf(), problem=problem)
    return services.move_problem(users.editor_a, problem, ProblemStatus.RESOLVED, rectification="已补选执委")


def test_rectification_is_verified_by_the_level_directly_above_by_default(tree, users):
    """下管一级: the street verifies its village's rectification; the county, two levels up, may not."""
    problem = resolved_problem(tree, users)
    with pytest.raises(PermissionDenied, match="黄墩街道") as refused:
        services.move_problem(users.editor_a, problem, ProblemStatus.VERIFIED)
    assert "下管一级" in str(refused.value)
    street = scoped_user("editor_t", tree.township_a, Role.EDITOR)
    assert services.move_problem(street, problem, ProblemStatus.VERIFIED).verified_by == street


def test_a_setting_lets_any_level_above_verify(tree, users, settings):
    settings.BANYAN = {**settings.BANYAN, "REVIEW_ANY_LEVEL_ABOVE": True}
    problem = resolved_problem(tree, users)
    assert services.move_problem(users.editor_a, problem, ProblemStatus.VERIFIED).verified_by == users.editor_a
    own = services.report_problem(
        users.admin_a,
        tree.county_a,
        area="funding",
        description="经费未列入预算",
        found_on=datetime.date(2026, 9, 1),
        deadline=datetime.date(2026, 12, 31),
        responsible="李主席",
    )
    services.attach_evidence(users.admin_a, pdf(), problem=own)
    own = services.move_problem(users.admin_a, own, ProblemStatus.RESOLVED, rectification="已列入2027年预算")
    with pytest.raises(PermissionDenied):  # never her own unit's
        services.move_problem(users.admin_a, own, ProblemStatus.VERIFIED)


def test_a_county_cannot_verify_its_own_problem(tree, users):
    problem = services.report_problem(
        users.admin_a,
        tree.county_a,
        area="funding",
        description="经费未列入预算",
        found_on=datetime.date(2026, 9, 1),
        deadline=datetime.date(2026, 12, 31),
        responsible="李主席",
    )
    services.attach_evidence(users.admin_a, pdf(), problem=problem)
    problem = services.move_problem(users.admin_a, problem, ProblemStatus.RESOLVED, rectification="已列入2027年预算")
    with pytest.raises(PermissionDenied):
        services.move_problem(users.admin_a, problem, ProblemStatus.VERIFIED)


def test_a_deadline_before_the_finding_is_refused(tree, users):
    with pytest.raises(ValidationError):
        problem_of(tree, users, deadline=datetime.date(2026, 8, 1))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.exe", b"MZ\x90\x00", "PDF"),
        ("伪装.pdf", b"MZ\x90\x00 not a pdf", "PDF"),
        ("照片.png", b"GIF89a", "PNG"),
        ("空.pdf", b"", "空"),
    ],
)
def test_evidence_of_a_bad_type_is_refused(tree, users, name, content, message):
    problem = problem_of(tree, users)
    with pytest.raises(ValidationError):
        services.attach_evidence(users.editor_a, SimpleUploadedFile(name, content), problem=problem)
    assert not problem.evidence.exists()


def test_oversized_evidence_is_refused(tree, users, settings):
    settings.BANYAN = {**settings.BANYAN, "EVIDENCE_MAX_BYTES": 1024}
    problem = problem_of(tree, users)
    with pytest.raises(ValidationError):
        services.attach_evidence(users.editor_a, pdf(content=PDF + b"0" * 2048), problem=problem)
    evidence = services.attach_evidence(users.editor_a, SimpleUploadedFile("现场.png", PNG), problem=problem)
    assert evidence.content_type == "image/png" and evidence.name == "现场.png"
    assert "现场" not in evidence.file.name and evidence.file.name.endswith(".png")  # stored under our own name


def test_evidence_outside_the_scope_is_refused(tree, users):
    problem = problem_of(tree, users)
    with pytest.raises(PermissionDenied):
        services.attach_evidence(users.editor_b, pdf(), problem=problem)


def test_key_task_progress_sets_the_status(tree, users):
    task = services.create_task(
        users.editor_a, tree.township_a, title="完成村级妇联换届", deadline=datetime.date(2026, 8, 31)
    )
    assert task.status == TaskStatus.NOT_STARTED
    assert services.report_progress(users.editor_a, task, 40).status == TaskStatus.IN_PROGRESS
    assert services.report_progress(users.editor_a, task, 100).status == TaskStatus.DONE
    with pytest.raises(ValidationError):
        services.report_progress(users.editor_a, task, 140)
    with pytest.raises(PermissionDenied):
        services.report_progress(users.editor_b, task, 50)


def test_campaign_milestones_are_checked_against_coverage(tree, users):
    city_admin = scoped_user("city_admin", tree.city, Role.ADMIN)
    campaign = services.create_campaign(
        city_admin,
        tree.city,
        name="百日攻坚",
        starts_on=datetime.date(2021, 3, 1),
        ends_on=datetime.date(2021, 8, 31),
        milestones=[
            {
                "phase": "第一阶段",
                "due_on": datetime.date(2021, 6, 30),
                "coverage_key": "conversion_rate",
                "target": Decimal("33.3"),
            },
            {
                "phase": "第二阶段",
                "due_on": datetime.date(2099, 8, 31),
                "coverage_key": "conversion_rate",
                "target": Decimal("100"),
            },
        ],
    )
    record_conversion(users.editor_a, tree.village_a1, data())  # held 2021-03-15: 1 of 4 villages
    from orgtree.coverage import coverage

    today = coverage(tree.city)
    first, second = campaign.milestones.order_by("due_on")
    assert services.milestone_status(first, tree.city, today) == {"actual": 25.0, "met": False, "state": "missed"}
    assert services.milestone_status(second, tree.city, today)["state"] == "behind"
    with pytest.raises(PermissionDenied):
        services.create_campaign(
            users.editor_a, tree.city, name="x", starts_on=datetime.date(2021, 1, 1), ends_on=datetime.date(2021, 2, 1)
        )


def test_rollups_by_child_match_the_total(template, tree, users):
    services.assign(users.editor_a, template, tree.county_a)
    services.assign(users.editor_b, template, tree.county_b)
    problem_of(tree, users)
    services.create_task(users.editor_b, tree.township_b, title="换届", deadline=datetime.date(2020, 1, 1))
    rows = {c.name: f for c, f in reform_by_child(tree.city)}
    total = reform_figures(tree.city)
    for key in ("items", "items_filled", "problems_overdue", "tasks_overdue"):
        assert sum(f[key] for f in rows.values()) == total[key]
    assert rows["延平区"]["problems_overdue"] == 1 and rows["建阳区"]["tasks_overdue"] == 1
    assert rows["延平区"]["items"] > 0 and rows["南平市直机关妇工委"]["items"] == 0


def test_overdue_problems_and_tasks_are_notified_once_a_day(tree, users):
    problem_of(tree, users)
    services.create_task(users.editor_b, tree.township_b, title="换届", deadline=datetime.date(2020, 1, 1))
    day = datetime.date(2026, 11, 28)
    assert services.notify_overdue(day)["notified"] >= 3  # editor_a, admin_a, editor_b
    assert services.notify_overdue(day)["notified"] == 0
    note = Notification.objects.get(user=users.editor_b, key__startswith="reform-overdue")
    assert "1" in note.message


def test_an_open_problem_reads_not_rectified_not_the_word_for_an_open_unit(tree, users):
    """存续 is the word for an open unit; a problem not yet rectified is 未整改 (its next step 整改中)."""
    from django.utils import translation

    from orgtree.filtersets import UnitFilterSet

    problem = problem_of(tree, users)
    with translation.override("zh-hans"):
        assert problem.get_status_display() == "未整改"
        assert str(ProblemStatus.RECTIFYING.label) == "整改中"
        assert "存续" in [str(label) for _value, label in UnitFilterSet().filters["status"].extra["choices"]]
