"""The default 督导目标清单 (version 1) reads as the reform documents do: "机关（单位）建立妇联组织，
实现全覆盖", 专兼职副主席, 进入村（社区）“两委”班子, 新领域妇联组织（含妇委会）, 基层妇联执委轮训,
“1+10+N”. Only the text of the shipped items changes, and only where it is still the shipped text:
a wording someone changed, later versions, and every answer, evidence and review stay as they are."""

from django.db import migrations

NAME = "破难行动督导目标清单"
# number: (the text shipped by 0002, the documents' wording)
WORDING = {
    "C5": ("乡镇（街道）妇联副主席人数", "乡镇（街道）妇联专兼职副主席人数"),
    "C7": ("村（社区）妇代会改建妇联比例", "村（社区）妇代会改建妇联（“会改联”）完成率"),
    "C8": ("村（社区）妇联主席进“两委”比例", "村（社区）妇联主席进入村（社区）“两委”班子比例"),
    "C9": ("机关、事业单位妇委会（妇工委）应建尽建", "机关（单位）建立妇联组织，实现全覆盖"),
    "C10": ("新领域妇联组织数", "新领域妇联组织（含妇委会）数"),
    "D1": ("基层执委轮训覆盖率", "基层妇联执委轮训覆盖率"),
    "D2": ("建立执委联系服务妇女群众制度", "建立执委“1+10+N”联系服务妇女群众制度"),
}


def reword(apps, old, new):
    items = apps.get_model("reform", "TemplateItem").objects.filter(template__name=NAME, template__version=1)
    for number, texts in WORDING.items():
        items.filter(number=number, text=texts[old]).update(text=texts[new])


def forward(apps, schema_editor):
    reword(apps, 0, 1)


def backward(apps, schema_editor):
    reword(apps, 1, 0)


class Migration(migrations.Migration):
    dependencies = [("reform", "0005_d1_from_training")]

    operations = [migrations.RunPython(forward, backward)]
