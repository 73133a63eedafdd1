"""Refreshes the French and English catalogues, applies translations, compiles the .mo files.

    python scripts/update_translations.py [translations.json ...]

Each JSON file maps an English msgid to its French msgstr (a msgid with a context, from pgettext,
is written "context\u0004msgid"). The whole run holds a file lock, so
several people updating the catalogue at once do not overwrite each other's work. Prints the
French msgids still untranslated or fuzzy. Needs GNU gettext (xgettext) for the extraction step;
compiling uses polib, so a machine without gettext can still compile with --compile-only.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANGUAGES = ("fr", "en")


def extract() -> None:
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *[arg for lang in LANGUAGES for arg in ("-l", lang)],
            "--no-obsolete",
            "--no-location",
            "--ignore=.venv/*",
            "--ignore=tests/*",
            "--ignore=bench/*",
            "--ignore=staticfiles/*",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def apply(translations: dict[str, str]) -> None:
    path = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path))
    for entry in catalogue:
        # A msgid with a context (pgettext) is keyed "context\u0004msgid", as in gettext's .mo.
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if key in translations:
            value = translations[key]
            if entry.msgid_plural and isinstance(value, list):
                entry.msgstr_plural = dict(enumerate(value))
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalogue.save(str(path))


def compile_all() -> list[str]:
    missing: list[str] = []
    for lang in LANGUAGES:
        path = LOCALE / lang / "LC_MESSAGES" / "django.po"
        if not path.exists():
            continue
        catalogue = polib.pofile(str(path))
        catalogue.metadata.setdefault("Content-Type", "text/plain; charset=UTF-8")
        if lang == "fr":
            catalogue.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
            missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
        catalogue.save(str(path))
        catalogue.save_as_mofile(str(path.with_suffix(".mo")))
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--compile-only", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    LOCALE.mkdir(exist_ok=True)
    with open(LOCALE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not args.compile_only:
            extract()
            translations: dict[str, str] = {}
            for file in args.files:
                translations.update(json.loads(file.read_text(encoding="utf-8")))
            apply(translations)
        missing = compile_all()
    if missing:
        print(f"{len(missing)} French msgids untranslated or fuzzy:")
        for msgid in missing:
            print(f"  {msgid!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
