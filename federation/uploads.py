"""Uploaded documents (checklist evidence, funding documents): checked before anything is stored.

The size limit is BANYAN["EVIDENCE_MAX_BYTES"]; the type is decided by the extension *and* the
file's first bytes, never by what the browser says, and the stored name is never the uploader's.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Extension -> (content type, how the file must start). Office files are zip archives.
UPLOAD_TYPES = {
    "pdf": ("application/pdf", b"%PDF-"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}


def check_upload(upload):
    """(content type, clean name) of an acceptable upload; ValidationError in Chinese otherwise."""
    limit = settings.BANYAN["EVIDENCE_MAX_BYTES"]
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size).1f MB; at most %(limit)d MB is accepted.")
                % {"size": upload.size / 2**20, "limit": limit // 2**20}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:150]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in UPLOAD_TYPES:
        raise ValidationError({"file": _("Only PDF, JPG, PNG, Word (.docx) and Excel (.xlsx) files are accepted.")})
    content_type, magic = UPLOAD_TYPES[extension]
    upload.seek(0)
    head = upload.read(len(magic))
    upload.seek(0)
    if head != magic:
        raise ValidationError({"file": _("The file's content is not a %(type)s file.") % {"type": extension.upper()}})
    return content_type, name
