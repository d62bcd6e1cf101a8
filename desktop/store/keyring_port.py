"""The OS keyring as a cache for the raw store key, used only when it is a real, working backend.

Allowlist + probe: the fail, null, plaintext and keyrings.alt backends (and chainer with none of
the allowed inside) count as no keyring. The reason is kept so self-check and the window can show it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

SERVICE = "RenewDesk"

# Module prefixes of backends that really protect secrets (OS-provided stores).
_ALLOWED = (
    "keyring.backends.SecretService",
    "keyring.backends.kwallet",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "keyring.backends.libsecret",
)


def _name(backend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend: str
    reason: str


class KeyringPort:
    """Minimal port: get/set/delete a secret. Tests pass a fake; the app passes OsKeyring()."""

    def status(self) -> KeyringStatus:  # pragma: no cover - interface
        raise NotImplementedError

    def get(self, name: str) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError

    def set(self, name: str, value: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def delete(self, name: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class NoKeyring(KeyringPort):
    def __init__(self, reason: str = "未配置系统钥匙串"):
        self._reason = reason

    def status(self) -> KeyringStatus:
        return KeyringStatus(False, "none", self._reason)

    def get(self, name: str) -> str | None:
        return None

    def set(self, name: str, value: str) -> None:
        return None

    def delete(self, name: str) -> None:
        return None


class OsKeyring(KeyringPort):
    def __init__(self) -> None:
        self._status: KeyringStatus | None = None

    def _backend(self):
        import keyring

        backend = keyring.get_keyring()
        # With two or more viable backends keyring picks its ChainerBackend, which writes to the
        # first backend that takes the secret (possibly a plaintext one). Use the best allowed
        # backend inside it directly; a chainer with none allowed stays a chainer and is refused.
        if _name(backend) == "keyring.backends.chainer.ChainerBackend":
            inner = [b for b in getattr(backend, "backends", ()) if _name(b).startswith(_ALLOWED)]
            if inner:
                return inner[0]
        return backend

    def status(self) -> KeyringStatus:
        if self._status is None:
            self._status = self._probe()
        return self._status

    def _probe(self) -> KeyringStatus:
        try:
            backend = self._backend()
        except Exception as exc:  # a broken keyring install must not stop the counter
            return KeyringStatus(False, "error", f"钥匙串不可用：{type(exc).__name__}")
        name = _name(backend)
        if not name.startswith(_ALLOWED):
            return KeyringStatus(False, name, "该钥匙串后端不安全或不可用，将每次询问口令")
        probe = f"probe-{uuid.uuid4().hex}"
        try:
            backend.set_password(SERVICE, probe, "1")
            ok = backend.get_password(SERVICE, probe) == "1"
            backend.delete_password(SERVICE, probe)
        except Exception as exc:
            return KeyringStatus(False, name, f"钥匙串读写测试失败：{type(exc).__name__}")
        if not ok:
            return KeyringStatus(False, name, "钥匙串读写测试失败")
        return KeyringStatus(True, name, "ok")

    def get(self, name: str) -> str | None:
        if not self.status().usable:
            return None
        try:
            return self._backend().get_password(SERVICE, name)
        except Exception:
            return None

    def set(self, name: str, value: str) -> None:
        if self.status().usable:
            try:
                self._backend().set_password(SERVICE, name, value)
            except Exception:
                pass  # the cache is an optimisation; the passphrase still works

    def delete(self, name: str) -> None:
        if self.status().usable:
            try:
                self._backend().delete_password(SERVICE, name)
            except Exception:
                pass


class MemoryKeyring(KeyringPort):
    """A real in-memory store with the port's semantics, for tests and for one process's lifetime."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def status(self) -> KeyringStatus:
        return KeyringStatus(True, "memory", "ok")

    def get(self, name: str) -> str | None:
        return self.items.get(name)

    def set(self, name: str, value: str) -> None:
        self.items[name] = value

    def delete(self, name: str) -> None:
        self.items.pop(name, None)
