"""`thrive demo`: build the demo business (Kettle & Crow Coffee Roasters) from a seed."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from thrive.demo import build
from thrive.demo.plan import MAX_PEOPLE, MIN_PEOPLE, Config
from thrive.demo.timeline import local_today


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Build a believable demo business from a seed: the same seed and as-of date always "
        "give the same business. If a demo is already built, print its sign-in and stop."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people", type=int, default=5000, help=f"{MIN_PEOPLE}..{MAX_PEOPLE} (default 5000)"
        )
        parser.add_argument("--seed", type=int, default=42, help="default 42")
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="the demo's today (default: the roastery's today)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="DELETE all people, orders and other business data first, then build",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        from thrive.core.database import migrate_if_needed

        migrate_if_needed(say=lambda line: self.stderr.write(line))
        state = build.demo_state()
        if not options["reset"]:
            if state == "complete":
                self._print_saved_signin()
                return
            if state == "incomplete":
                raise CommandError(
                    "An earlier demo build did not finish. Run `thrive demo --reset` to start over."
                )
            if state == "other":
                raise CommandError(
                    "This database already holds people who are not the demo. `thrive demo "
                    "--reset` would delete them; use an empty database (THRIVE_DATA_DIR or "
                    "DATABASE_URL) to keep them."
                )
        try:
            cfg = Config(
                seed=options["seed"],
                people=options["people"],
                as_of=options["as_of"] or local_today(timezone.now()),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["reset"] and state != "none":
            self.stderr.write("Deleting the business data…")
            build.flush_business_data()
        try:
            result = build.build_demo(cfg, progress=not options["no_progress"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self._print_summary(result)

    def _print_saved_signin(self) -> None:
        signin = build.saved_signin()
        if signin is None:
            self.stdout.write(
                f"The demo is built, but its sign-in file {build.signin_path()} is missing. "
                f"Set a new password with `thrive changepassword {build.OWNER}`."
            )
            return
        self.stdout.write("The demo is already built (`thrive demo --reset` rebuilds it).")
        self.stdout.write(self.style.SUCCESS(signin))

    def _print_summary(self, result: build.BuildResult) -> None:
        facts = build.describe()
        cfg = result.plan.cfg
        self.stdout.write(
            f"Built Kettle & Crow Coffee Roasters in {result.seconds:.1f} s "
            f"(seed {cfg.seed}, as of {cfg.as_of}, history from {result.plan.cal.start})."
        )
        stages = ", ".join(f"{n} {s}" for s, n in sorted(facts["stages"].items()))
        roles = ", ".join(f"{n} {r}" for r, n in sorted(facts["roles"].items()))
        revenue = ", ".join(f"{amount:,.2f} {cur}" for cur, amount in facts["revenue"].items())
        self.stdout.write(f"  people      {facts['people']:,}: {stages}")
        self.stdout.write(f"  roles       {roles}")
        self.stdout.write(f"  orders      {facts['orders']:,} (net revenue {revenue})")
        self.stdout.write(
            f"  timeline    {facts['activities']:,} activities, "
            f"{facts['stage_changes']:,} stage changes"
        )
        self.stdout.write(
            f"  also        {facts['subscriptions']} subscriptions "
            f"({facts['active_subscriptions']} active), {facts['deals']} deals, "
            f"{facts['referrals']} referrals, {facts['organizations']} organizations"
        )
        self.stdout.write(f"Saved to {build.signin_path()} (readable only by you).")
        self.stdout.write(self.style.SUCCESS(result.signin))
