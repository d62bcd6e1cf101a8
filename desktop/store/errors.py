"""Store failures the command line and the window turn into exit codes and messages."""


class StoreError(Exception):
    """Base: carries a Chinese message for the screen; never a key, passphrase or personal data."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StoreMissing(StoreError):
    exit_code = 2


class StoreExists(StoreError):
    exit_code = 2


class SecretMissing(StoreError):
    """A passphrase or password is needed, its variable is unset and there is no terminal to ask."""

    exit_code = 2


class WrongKey(StoreError):
    exit_code = 3


class DamagedStore(StoreError):
    exit_code = 5


class SchemaTooNew(StoreError):
    exit_code = 5
