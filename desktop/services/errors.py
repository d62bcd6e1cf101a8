"""Service-level failures with the exit code the command line maps them to."""


class ServiceError(Exception):
    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadInput(ServiceError):
    exit_code = 2


class AuthFailed(ServiceError):
    exit_code = 4


class NotAllowed(ServiceError):
    exit_code = 4


class VerificationFailed(ServiceError):
    exit_code = 5
