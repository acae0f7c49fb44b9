"""The case log from the command line, for the IB and the school's IT person.

  python -m bot.caselog key                          make the encryption key if there is none
  python -m bot.caselog list --as telegram:12345     open cases this person may see
  python -m bot.caselog export MW-2026-0007 --as telegram:12345   dossier note (plain text)
  python -m bot.caselog purge                        delete cases past the retention period

`--as` is who is asking, as channel:user id: the creator of the case or one of the school's
aandachtsfunctionarissen (school profile, or MELDWIJZER_REVIEWERS). Reads by others than the
creator are written to the audit table, as in the chat. Messages are in Dutch (users' tool).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from actions.case_log.crypto import KeyMissing, ensure_key_file
from actions.case_log.dialogue import get_store
from actions.case_log.export import dossier_note, local
from actions.case_log.store import Actor, CaseLogUnavailable, CaseNotVisible, utcnow
from actions.school_profile import load_profile_or_none


def _actor(value: str) -> Actor:
    try:
        return Actor.parse(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError("gebruik kanaal:gebruiker, bijv. telegram:12345") from error


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.caselog", description="Meldwijzer casuslogboek")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("key", help="maak een sleutel als die er nog niet is")
    listing = commands.add_parser("list", help="open casussen")
    listing.add_argument("--as", dest="actor", type=_actor, required=True)
    export = commands.add_parser("export", help="dossiernotitie van een casus")
    export.add_argument("code")
    export.add_argument("--as", dest="actor", type=_actor, required=True)
    purge = commands.add_parser("purge", help="verwijder casussen na de bewaartermijn")
    purge.add_argument("--days", type=int, default=None, help="bewaartermijn in dagen (standaard: schoolprofiel)")
    args = parser.parse_args(argv)

    if args.command == "key":
        path, created = ensure_key_file()
        if created:
            print(f"Nieuwe sleutel voor het casuslogboek gemaakt: {path}\n"
                  "Bewaar een kopie op een veilige plek: zonder deze sleutel is het logboek niet te lezen.")
        return 0
    profile = load_profile_or_none()
    try:
        store = get_store()
        if args.command == "list":
            cases = store.open_cases(args.actor)
            for case in cases:
                print(f"{case.code}  geopend {local(case.opened_at)}  bijgewerkt {local(case.updated_at)}  "
                      f"door {case.opened_by}")
            print(f"{len(cases)} open casus(sen).")
        elif args.command == "export":
            case = store.read_case(args.code, args.actor, "export")
            print(dossier_note(case, utcnow(), profile.name if profile else None))
        elif args.command == "purge":
            days = args.days or (profile.retention_days if profile else 730)
            removed = store.purge_expired(days)
            print(f"{removed} casus(sen) verwijderd (afgesloten meer dan {days} dagen geleden).")
    except CaseNotVisible:
        print(f"Geen casus {args.code} die {args.actor.id} mag inzien.", file=sys.stderr)
        return 2
    except CaseLogUnavailable:
        print("Het casuslogboek is niet bereikbaar (database). Niets gedaan.", file=sys.stderr)
        return 3
    except KeyMissing:
        print("Geen sleutel: zet MELDWIJZER_CASE_KEY of maak er een met 'python -m bot.caselog key'.",
              file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    os.umask(0o077)  # a database, key or folder made here (var/) is for this user only
    sys.exit(main())
