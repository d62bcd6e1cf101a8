"""Service failures: the one hierarchy lives in desktop.core.errors; these names stay importable here."""
from desktop.core.errors import (  # noqa: F401
    AuthFailed,
    BadInput,
    NotAllowed,
    RenewDeskError,
    Unreachable,
    VerificationFailed,
)

ServiceError = RenewDeskError  # the old base name: every RenewDesk failure
