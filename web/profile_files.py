"""The profile files as the web UI sees them: read one by one, saved with the previous version kept.

``profiles/<id>.toml`` stays the source of truth. Saving validates the new text first (the same
``parse_profile`` the matcher uses), refuses a name another profile already has, copies the current
file to ``profiles/.history/<id>/<UTC time>-<user>.toml`` and then replaces the file atomically; nothing
is written when anything fails.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from errors import ProfileError
from matcher.profiles import ID_PATTERN, Profile, parse_profile

HISTORY = ".history"
#: seconds the id -> name list is reused while the folder is unchanged (every page shows names; reading each
#: profile's file status on every request cost more than the rest of some pages)
NAMES_TTL = 2.0


@dataclass(frozen=True)
class SaveResult:
    profile: Profile
    created: bool
    previous_version: str
    history_file: str
    diff: str


class ConflictError(ProfileError):
    """The file changed on disk since the editor opened it."""


def file_version(data: bytes) -> str:
    """The same short hash ``parse_profile`` gives a profile's ``version``."""
    return hashlib.sha256(data).hexdigest()[:16]


class ProfileFiles:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._cache: dict[str, tuple[tuple[int, int], Profile | None, str]] = {}
        self._lock = threading.Lock()
        #: (when read, the folder's mtime then, the names)
        self._names: tuple[float, int, dict[str, str]] | None = None

    def path(self, profile_id: str) -> Path:
        if not ID_PATTERN.match(profile_id):
            raise ProfileError(f"profile id {profile_id!r}: use lower-case letters, digits, '-' or '_'")
        return self.folder / f"{profile_id}.toml"

    def ids(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.toml") if ID_PATTERN.match(p.stem))

    def load(self, profile_id: str) -> tuple[Profile | None, str]:
        """(profile, "") when valid, (None, the error) when the file does not validate or is missing."""
        path = self.path(profile_id)
        try:
            stat = path.stat()
        except OSError:
            return None, f"{path.name}: profile not found"
        key = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(profile_id)
            if cached and cached[0] == key:
                return cached[1], cached[2]
        try:
            profile, error = parse_profile(path.read_bytes(), path.name, profile_id), ""
        except ProfileError as exc:
            profile, error = None, str(exc)
        except OSError as exc:
            profile, error = None, f"{path.name}: cannot read: {exc.strerror}"
        with self._lock:
            self._cache[profile_id] = (key, profile, error)
        return profile, error

    def all(self) -> tuple[dict[str, Profile], dict[str, str]]:
        """Every valid profile by id, and the error of every invalid file by id."""
        profiles: dict[str, Profile] = {}
        problems: dict[str, str] = {}
        for profile_id in self.ids():
            profile, error = self.load(profile_id)
            if profile is not None:
                profiles[profile_id] = profile
            else:
                problems[profile_id] = error
        return profiles, problems

    def get(self, profile_id: str) -> Profile | None:
        try:
            return self.load(profile_id)[0]
        except ProfileError:
            return None

    def raw(self, profile_id: str) -> bytes | None:
        try:
            return self.path(profile_id).read_bytes()
        except OSError:
            return None

    def names(self) -> dict[str, str]:
        """profile id -> display name (the id for an invalid file).

        Reused for :data:`NAMES_TTL` seconds while the folder's modification time is unchanged (a file added,
        removed or saved through :meth:`save` changes it at once; a file edited in place shows within the TTL).
        """
        try:
            folder_mtime = self.folder.stat().st_mtime_ns
        except OSError:
            folder_mtime = -1
        with self._lock:
            cached = self._names
            if cached and cached[1] == folder_mtime and time.monotonic() - cached[0] < NAMES_TTL:
                return dict(cached[2])
        profiles, problems = self.all()
        out = {pid: p.name for pid, p in profiles.items()}
        out.update({pid: pid for pid in problems})
        names = dict(sorted(out.items(), key=lambda item: item[1].casefold()))
        with self._lock:
            self._names = (time.monotonic(), folder_mtime, names)
        return dict(names)

    def validate(self, profile_id: str, text: str) -> Profile:
        """Check new text for a profile: the file rules plus a name no other profile uses."""
        data = text.encode("utf-8")
        profile = parse_profile(data, f"{profile_id}.toml", profile_id)
        for other_id, other in self.all()[0].items():
            if other_id != profile_id and other.name.casefold() == profile.name.casefold():
                line = _line_of_key(text, "name")
                where = f"{profile_id}.toml, line {line}" if line else f"{profile_id}.toml"
                raise ProfileError(f"{where}: name: {profile.name!r} is already used by {other_id}.toml")
        return profile

    def save(self, profile_id: str, text: str, user: str, expected_version: str | None) -> SaveResult:
        """Validate and write ``text`` as the profile; keep the current file in the history folder.

        ``expected_version`` is the version the editor started from ("" for a new profile); a different
        version on disk raises ConflictError and nothing is written.
        """
        text = text.replace("\r\n", "\n")
        profile = self.validate(profile_id, text)
        path = self.path(profile_id)
        with self._lock:
            current = path.read_bytes() if path.exists() else None
            current_version = file_version(current) if current is not None else ""
            if expected_version is not None and expected_version != current_version:
                raise ConflictError(
                    f"{path.name}: the file was changed by someone else after you opened it "
                    f"(version {current_version or 'deleted'}, you started from {expected_version or 'a new file'})"
                )
            history_file = ""
            if current is not None:
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
                safe_user = re.sub(r"[^a-z0-9._-]", "_", user.lower())[:50] or "unknown"
                history = self.folder / HISTORY / profile_id
                history.mkdir(parents=True, exist_ok=True)
                target = history / f"{stamp}-{safe_user}.toml"
                _atomic_write(target, current)
                history_file = str(target.relative_to(self.folder))
            _atomic_write(path, text.encode("utf-8"))
            self._cache.pop(profile_id, None)
            self._names = None
        old_text = current.decode("utf-8", "replace") if current is not None else ""
        diff = "".join(
            difflib.unified_diff(
                old_text.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{profile_id}.toml ({current_version or 'ny'})",
                tofile=f"{profile_id}.toml ({profile.version})",
            )
        )
        return SaveResult(profile, current is None, current_version, history_file, diff)

    def history(self, profile_id: str) -> list[str]:
        folder = self.folder / HISTORY / profile_id
        if not ID_PATTERN.match(profile_id) or not folder.is_dir():
            return []
        return sorted((p.name for p in folder.glob("*.toml")), reverse=True)


def _line_of_key(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("["):
            return None
        if re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return number
    return None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
