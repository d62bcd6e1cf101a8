"""Store failures: the one hierarchy lives in desktop.core.errors; these names stay importable here."""
from desktop.core.errors import (  # noqa: F401
    BadInput,
    DamagedStore,
    RenewDeskError,
    SchemaTooNew,
    SecretMissing,
    StoreExists,
    StoreMissing,
    WrongKey,
)

StoreError = RenewDeskError  # the old base name: every RenewDesk failure
