"""The case log from the command line, for the IB and the school's IT person.

  python -m bot.caselog key                          make the encryption key if there is none
  python -m bot.caselog list --as telegram:12345     open cases this person may see
  python -m bot.caselog export MW-2026-0007 --as telegram:12345   dossier note (plain text)
  python -m bot.caselog purge                        delete what is past the retention period
  python -m bot.caselog rekey                        re-encrypt everything with the first key

`purge` applies the school profile's retention period (case_log.bewaartermijn_dagen) to both
databases, as the servers configure them: the case log (MELDWIJZER_DB_URL) loses closed cases
and open cases untouched for the whole period; the conversations (Rasa's `events`, endpoints.yml
/ MELDWIJZER_TRACKER_DB_URL) lose what is older than the period and no live conversation needs.
The two are independent: one database unreachable does not stop the other (exit code 3).

`--as` is who is asking, as channel:user id: the creator of the case or one of the school's
aandachtsfunctionarissen (school profile, or MELDWIJZER_REVIEWERS). Reads by others than the
creator are written to the audit table, as in the chat. Messages are in Dutch (users' tool).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import List, Optional

from sqlalchemy import exc as sa_exc

from actions.case_log.crypto import KeyMissing, ensure_key_file
from actions.case_log.dialogue import get_store
from actions.case_log.export import dossier_note, local
from actions.case_log.store import Actor, CaseLogUnavailable, CaseNotVisible, utcnow
from actions.school_profile import ProfileError, load_profile, load_profile_or_none
from bot.tracker_store import configured_db_url, purge_conversations


def _actor(value: str) -> Actor:
    try:
        return Actor.parse(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError("gebruik kanaal:gebruiker, bijv. telegram:12345") from error


def _days(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("geef een aantal dagen, bijv. 730")
    return int(value)


def purge(days: Optional[int]) -> int:
    """Both stores past the retention period; says what went. 0, or 3 if a database was
    unreachable (the other is purged all the same), or 5 if the period is unknown."""
    if days is None:
        try:
            days = load_profile().retention_days
        except (OSError, ProfileError, ValueError):
            print("Het schoolprofiel is niet te lezen, dus de bewaartermijn is onbekend. Niets gedaan.\n"
                  "Herstel het profiel of geef de termijn zelf: purge --days 730.", file=sys.stderr)
            return 5
    now = utcnow()
    cutoff = now - dt.timedelta(days=days)
    print(f"Bewaartermijn: {days} dagen. Grens: {local(cutoff, False)}.")
    status = 0
    try:
        cases = get_store().purge_expired(days, now=now)
        print(f"Afgesloten casussen verwijderd: {cases.closed} (afgesloten vóór de grens).")
        print(f"Open casussen verwijderd: {cases.open} (sinds de grens niets meer vastgelegd "
              "en geen vervolgafspraak na de grens).")
    except CaseLogUnavailable:
        print("Het casuslogboek is niet bereikbaar (database). Geen casussen verwijderd.", file=sys.stderr)
        status = 3
    try:
        talks = purge_conversations(configured_db_url(), cutoff)
        print(f"Gesprekken verwijderd: {talks.conversations} (sinds de grens niet meer gebruikt).")
        print(f"Gesprekken ingekort: {talks.trimmed} (oude sessies van vóór de grens; "
              "het lopende gesprek blijft).")
        print(f"Gespreksregels (events) verwijderd: {talks.events}.")
    except (sa_exc.OperationalError, sa_exc.InterfaceError):
        print("De gesprekken-database is niet bereikbaar. Geen gesprekken verwijderd.", file=sys.stderr)
        status = 3
    return status


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.caselog", description="Meldwijzer casuslogboek")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("key", help="maak een sleutel als die er nog niet is")
    listing = commands.add_parser("list", help="open casussen")
    listing.add_argument("--as", dest="actor", type=_actor, required=True)
    export = commands.add_parser("export", help="dossiernotitie van een casus")
    export.add_argument("code")
    export.add_argument("--as", dest="actor", type=_actor, required=True)
    purging = commands.add_parser("purge", help="verwijder casussen en gesprekken na de bewaartermijn")
    purging.add_argument("--days", type=_days, default=None,
                         help="bewaartermijn in dagen (standaard: schoolprofiel)")
    commands.add_parser("rekey", help="versleutel alles opnieuw met de eerste sleutel (sleutel wisselen)")
    args = parser.parse_args(argv)

    if args.command == "key":
        path, created = ensure_key_file()
        if created:
            print(f"Nieuwe sleutel voor het casuslogboek gemaakt: {path}\n"
                  "Bewaar een kopie op een veilige plek: zonder deze sleutel is het logboek niet te lezen.")
        return 0
    if args.command == "purge":
        return purge(args.days)
    if args.command == "rekey":
        return rekey()
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


def rekey() -> int:
    """Key rotation, step 3 of README "Sleutel wisselen": the case log and the tracker store."""
    from sqlalchemy.exc import SQLAlchemyError

    from actions.case_log.crypto import cipher_from_environment
    from actions.case_log.rekey import RekeyReport, rekey_case_log, rekey_tracker
    from actions.case_log.store import make_engine

    try:
        cipher = cipher_from_environment()
    except KeyMissing:
        print("Geen sleutel: zet MELDWIJZER_CASE_KEY (nieuwe sleutel eerst, dan de oude).", file=sys.stderr)
        return 4
    report = RekeyReport()
    store = get_store()
    engines = [("casuslogboek", store.engine, rekey_case_log),
               ("gesprekken", make_engine(configured_db_url()), rekey_tracker)]
    for label, engine, work in engines:
        try:
            work(engine, cipher, report)
        except SQLAlchemyError as error:
            print(f"De database van de {label} is niet bereikbaar ({type(error).__name__}). "
                  "Niets meer gedaan; start 'rekey' opnieuw als hij weer bereikbaar is.", file=sys.stderr)
            return 3
        finally:
            if engine is not store.engine:
                engine.dispose()
    print(f"{report.rewritten} versleutelde velden opnieuw versleuteld met de eerste sleutel.")
    if report.unreadable:
        print(f"{report.unreadable} velden kon geen enkele sleutel lezen: die zijn niet veranderd. "
              "Houd de oude sleutel tot je weet waar ze vandaan komen.", file=sys.stderr)
        return 5
    print("Je kunt de oude sleutel nu weghalen uit MELDWIJZER_CASE_KEY.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
