"""The ONE hierarchy of failures a user can cause or meet (issue 10 item 4).

Every class carries a Chinese ``message`` that is safe to show and to log: it never holds a key,
a passphrase or unmasked personal data. What a failure MEANS decides how it is reported, and that
mapping lives in one place each: exit codes in desktop/cli.py (EXIT_CODES), window messages in
desktop/ui/errors.py (message_for). Anything not derived from RenewDeskError is a bug: the command
line exits 1 with a reference, the window shows a Chinese message with that reference.

Pure (core): store, io, services and printing all raise these.
"""
from __future__ import annotations


class RenewDeskError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadInput(RenewDeskError):
    """The user's input cannot be used as given (a value, a file, an option): fix it and retry."""


class StoreMissing(BadInput):
    """No store in the data dir yet."""


class StoreExists(BadInput):
    """init/create on a data dir that already holds a store."""


class SecretMissing(BadInput):
    """A passphrase or password is needed, its variable is unset and there is no terminal to ask."""


class WrongKey(RenewDeskError):
    """The passphrase (or cached key) does not unlock this store."""


class AuthFailed(RenewDeskError):
    """Wrong staff password, unknown or disabled staff, or a locked account."""


class NotAllowed(RenewDeskError):
    """The staff member's role may not do this."""


class VerificationFailed(RenewDeskError):
    """A check failed: the audit chain, a backup, the store's integrity."""


class DamagedStore(VerificationFailed):
    """A right key that cannot read the file, a missing key file, a failed integrity check."""


class SchemaTooNew(VerificationFailed):
    """The store was written by a newer RenewDesk."""


class Unreachable(RenewDeskError):
    """Head office could not be reached (nothing lost; try later)."""
