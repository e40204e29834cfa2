"""Why a file operation failed, in the interface language (issue 18).

``OSError.strerror`` is English ("No space left on device"); every message that names
a file problem takes its reason from here instead.
"""

from __future__ import annotations

import errno

from app.i18n import t

#: errno -> catalog key for the reason (``faults.os.<name>``).
_ERRNO = {
    errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EACCES: "denied",
    errno.EPERM: "denied", errno.EROFS: "readonly", errno.EISDIR: "is_dir",
    errno.ENOTDIR: "not_dir", errno.ENAMETOOLONG: "too_long", errno.ENOENT: "missing",
    errno.EEXIST: "exists", errno.EIO: "io",
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in the interface language."""
    name = _ERRNO.get(exc.errno or 0)
    return t(f"faults.os.{name}") if name else (exc.strerror or str(exc))
