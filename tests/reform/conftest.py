import pytest

from reform.models import ChecklistTemplate


@pytest.fixture
def template(db):
    """The default template the data migration ships."""
    return ChecklistTemplate.objects.get(name="破难行动督导目标清单", version=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
