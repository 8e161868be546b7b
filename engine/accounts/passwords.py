"""Password hashing with argon2id through pwdlib; parameters upgrade themselves on login."""
from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 takes any length; a cap keeps a login from being a CPU lever


class PasswordHasher:
    """argon2id with pwdlib's recommended parameters (time 3, 64 MiB, 4 lanes) by default.

    Tests pass cheaper parameters (`PasswordHasher.fast()`); a hash made with other parameters
    still verifies, and `verify` returns an updated hash so stored hashes follow the settings.
    """

    def __init__(self, *, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4):
        self._hash = PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost,
                                                parallelism=parallelism),))
        # Verified against when the email is unknown, so both paths cost one argon2 run.
        self._dummy = self._hash.hash("not a real password, only burns time")

    @classmethod
    def fast(cls) -> "PasswordHasher":
        """Cheap parameters for tests only (still argon2id)."""
        return cls(time_cost=1, memory_cost=1024, parallelism=1)

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        """(matches, a new hash to store or None). An unknown user passes None: same cost."""
        if password_hash is None:
            self._hash.verify(password, self._dummy)
            return False, None
        try:
            return self._hash.verify_and_update(password, password_hash)
        except Exception:  # a malformed stored hash is a failed login, not a crash
            return False, None


def password_problem(password: object) -> str | None:
    """Why a new password is not acceptable, or None."""
    if not isinstance(password, str):
        return "must be a string"
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if not password.strip():
        return "must not be blank"
    return None
