"""Lead scoring: the chance that a suspect or prospect becomes a client within N days.

Training rows are (person, cut-off) pairs: everyone known and not yet a client (nor
lost) at a monthly cut-off, described only by what happened up to it — channel, days
known, activities by kind in the last 30/90 days, emails opened and clicked, referral,
company size — and labelled 1 when they became a client within ``horizon`` days after
it. The split is by time: the last cut-offs whose outcome is known are held out and
measure the model (AUC, Brier score, a reliability table by deciles); the model that
scores today's leads is then refitted on every labelled row. The database summarises
(per person and kind counts per cut-off); only those summaries reach Python.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from thrive.contacts import profiling
from thrive.contacts.models import Activity, ActivityKind, Person, RelationshipRole, Stage
from thrive.outreach.models import Delivery

from .models import LeadModel, LeadModelStatus, LeadScore, LeadTestPrediction

HORIZON_DAYS = 90
STEP_DAYS = 30
TEST_CUTOFFS = 3
MIN_POSITIVES = 10
COUNT_KINDS = (
    (ActivityKind.EMAIL, "emails exchanged"),
    (ActivityKind.CALL, "calls"),
    (ActivityKind.MEETING, "meetings"),
    (ActivityKind.STRATEGY_SESSION, "strategy sessions"),
    (ActivityKind.SUPPORT, "support conversations"),
    (ActivityKind.FORM_SUBMISSION, "forms sent in"),
    (ActivityKind.SURVEY_ANSWER, "survey answers"),
    (ActivityKind.IDEA_VOTE, "idea votes"),
    (ActivityKind.NOTE, "notes"),
)
WON = (Stage.CLIENT, Stage.ADVOCATE)


@dataclass(frozen=True)
class People:
    """One row per person who could ever be a lead (not staff)."""

    ids: np.ndarray
    first_seen: np.ndarray  # datetime64[s]
    prospect_at: np.ndarray  # datetime64[s], NaT if never
    won_at: np.ndarray  # became a client or advocate, NaT if never
    lost_at: np.ndarray
    referred_at: np.ndarray
    channel: np.ndarray  # slug or ""
    employees: np.ndarray  # float, 0 if unknown


def _ts(value: Any) -> np.datetime64:
    return np.datetime64("NaT", "s") if value is None else moment(value)


def load_people() -> People:
    """Everyone the lead model may learn from and score: not staff, and not people who
    declined profiling (``thrive.contacts.profiling``)."""
    rows = list(
        Person.objects.exclude(roles__role=RelationshipRole.ASSOCIATE)
        .exclude(pk__in=profiling.declined().values("pk"))
        .annotate(
            prospect_at=Min(
                "stage_history__changed_at", filter=Q(stage_history__to_stage=Stage.PROSPECT)
            ),
            won_at=Min("stage_history__changed_at", filter=Q(stage_history__to_stage__in=WON)),
            lost_at=Min("stage_history__changed_at", filter=Q(stage_history__to_stage=Stage.LOST)),
        )
        .order_by("pk")
        .values_list(
            "pk", "first_seen_at", "prospect_at", "won_at", "lost_at",
            "referral_received__referred_at", "acquisition_channel__slug",
            "organization__employees",
        )
    )  # fmt: skip
    col: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[] for _ in range(8)]
    return People(
        ids=np.array(col[0], dtype=np.int64),
        first_seen=np.array([_ts(v) for v in col[1]], dtype="datetime64[s]"),
        prospect_at=np.array([_ts(v) for v in col[2]], dtype="datetime64[s]"),
        won_at=np.array([_ts(v) for v in col[3]], dtype="datetime64[s]"),
        lost_at=np.array([_ts(v) for v in col[4]], dtype="datetime64[s]"),
        referred_at=np.array([_ts(v) for v in col[5]], dtype="datetime64[s]"),
        channel=np.array([v or "" for v in col[6]], dtype=object).astype(str),
        employees=np.array([float(v or 0) for v in col[7]], dtype=np.float64),
    )


def moment(value: dt.datetime) -> np.datetime64:
    """An aware datetime as naive UTC datetime64[s], the unit of the People arrays."""
    return np.datetime64(value.astimezone(dt.UTC).replace(tzinfo=None), "s")


def _before(times: np.ndarray, cutoff: np.datetime64) -> np.ndarray:
    return ~np.isnat(times) & (times <= cutoff)


def open_leads(people: People, cutoff: np.datetime64) -> np.ndarray:
    """Mask of people known at ``cutoff`` who were neither clients nor lost by then."""
    return (
        _before(people.first_seen, cutoff)
        & ~_before(people.won_at, cutoff)
        & ~_before(people.lost_at, cutoff)
    )


@dataclass(frozen=True)
class Features:
    names: list[str]
    labels: list[str]  # how each feature reads in a reason
    raw: np.ndarray  # (n, k) the counts and flags as they are
    x: np.ndarray  # (n, k) what the model sees (log1p of counts)


def _counts(cutoff: dt.datetime, ids: np.ndarray) -> dict[str, dict[int, int]]:
    """Per-person summaries up to ``cutoff``: activity counts by kind (90 days), all
    activities (30 days), emails opened/clicked (90 days), days since the last touch."""
    d90, d30 = cutoff - dt.timedelta(days=90), cutoff - dt.timedelta(days=30)
    out: dict[str, dict[int, int]] = {}
    touches = Activity.objects.filter(occurred_at__lte=cutoff).exclude(
        kind__in=[ActivityKind.STAGE_CHANGE, ActivityKind.ORDER]
    )
    for pid, kind, n in (
        touches.filter(occurred_at__gt=d90)
        .values("person_id", "kind")
        .annotate(n=Count("id"))
        .values_list("person_id", "kind", "n")
    ):
        out.setdefault(f"k90_{kind}", {})[pid] = n
    out["all30"] = dict(
        touches.filter(occurred_at__gt=d30)
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )
    last = dict(
        touches.values("person_id").annotate(at=Max("occurred_at")).values_list("person_id", "at")
    )
    out["quiet_days"] = {pid: max((cutoff - at).days, 0) for pid, at in last.items()}
    sent = Delivery.objects.filter(sent_at__gt=d90, sent_at__lte=cutoff)
    out["opened90"] = dict(
        sent.filter(opened_at__lte=cutoff)
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )
    out["clicked90"] = dict(
        sent.filter(clicked_at__lte=cutoff)
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )
    return out


def build_features(people: People, mask: np.ndarray, cutoff: dt.datetime,
                   channels: dict[str, str]) -> Features:  # fmt: skip
    """The feature matrix of the people in ``mask`` at ``cutoff``."""
    at = moment(cutoff)
    ids = people.ids[mask]
    counts = _counts(cutoff, ids)
    names: list[str] = []
    labels: list[str] = []
    columns: list[np.ndarray] = []

    def add(name: str, label: str, values: np.ndarray) -> None:
        names.append(name)
        labels.append(label)
        columns.append(values.astype(np.float64))

    def lookup(key: str, default: float = 0.0) -> np.ndarray:
        table = counts.get(key, {})
        return np.array([table.get(int(p), default) for p in ids], dtype=np.float64)

    known = (at - people.first_seen[mask]).astype("timedelta64[D]").astype(np.int64)
    add("days_known", "days since the first contact", np.maximum(known, 0))
    add("prospect", "is a prospect", _before(people.prospect_at[mask], at))
    add("referred", "was referred by someone", _before(people.referred_at[mask], at))
    add("employees", "people at their company", people.employees[mask])
    for slug, name in channels.items():
        add(f"channel_{slug}", f"came through {name}", people.channel[mask] == slug)
    for kind, label in COUNT_KINDS:
        add(f"k90_{kind}", f"{label} in the last 90 days", lookup(f"k90_{kind}"))
    add("all30", "touches in the last 30 days", lookup("all30"))
    add("opened90", "emails opened in the last 90 days", lookup("opened90"))
    add("clicked90", "emails clicked in the last 90 days", lookup("clicked90"))
    # Nobody touched yet: the first contact is the last touch.
    quiet = np.where(np.isnan(q := lookup("quiet_days", default=np.nan)), known, q)
    add("quiet_days", "days since the last touch", np.clip(quiet, 0, 365))
    raw = np.column_stack(columns) if ids.size else np.zeros((0, len(names)))
    binary = {"prospect", "referred"} | {n for n in names if n.startswith("channel_")}
    x = np.where([n in binary for n in names], raw, np.log1p(np.maximum(raw, 0)))
    return Features(names, labels, raw, x)


def cutoffs(people: People, now: dt.datetime, horizon: int) -> list[dt.datetime]:
    """Monthly cut-offs whose outcome window has closed, oldest first."""
    if people.ids.size == 0:
        return []
    earliest = people.first_seen.min().astype(dt.datetime).replace(tzinfo=dt.UTC)
    last = now - dt.timedelta(days=horizon)
    out, at = [], last
    while at > earliest + dt.timedelta(days=STEP_DAYS):
        out.append(at)
        at -= dt.timedelta(days=STEP_DAYS)
    return out[::-1]


def _labels(people: People, mask: np.ndarray, cutoff: dt.datetime, horizon: int) -> np.ndarray:
    at = moment(cutoff)
    won = people.won_at[mask]
    end = at + np.timedelta64(horizon, "D")
    return ~np.isnat(won) & (won > at) & (won <= end)


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Deciles of predicted probability: mean predicted vs observed rate, with counts."""
    if p.size == 0:
        return []
    order = np.argsort(p, kind="stable")
    rows = []
    for chunk in np.array_split(order, min(bins, p.size)):
        if chunk.size:
            rows.append({
                "predicted": float(p[chunk].mean()), "observed": float(y[chunk].mean()),
                "count": int(chunk.size), "positives": int(y[chunk].sum()),
            })  # fmt: skip
    return rows


def _pipeline() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000))


BINARY = frozenset({"prospect", "referred"})


def reasons_for(model: Any, features: Features, row: int, top: int = 3) -> list[str]:
    """The features that push this lead's chance up most — coefficient × standardized
    value — in words ("2 meetings in the last 90 days"). Flags a lead does not have are
    never given as reasons, even when their absence raises the chance."""
    scaler, logistic = model[0], model[-1]
    z = (features.x[row] - scaler.mean_) / np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    contribution = logistic.coef_[0] * z
    out: list[Any] = []
    for j in np.argsort(-contribution, kind="stable"):
        if len(out) == top or contribution[j] <= 0:
            break
        name, value = features.names[j], float(features.raw[row, j])
        if (name in BINARY or name.startswith("channel_")) and not value:
            continue
        out.append(phrase(name, features.labels[j], value))
    return out


def _ago(days: int) -> str:
    return "today" if days <= 0 else "yesterday" if days == 1 else f"{days:,} days ago"


def phrase(name: str, label: str, value: float) -> str:
    """One feature's value as a reason a person can read."""
    n = int(round(value))
    if name in BINARY or name.startswith("channel_"):
        return label[:1].upper() + label[1:]
    if name == "days_known":
        return f"First contact {_ago(n)}"
    if name == "quiet_days":
        return "No touch in the last year" if n >= 365 else f"Last touch {_ago(n)}"
    if name == "employees":
        return f"{n:,} people at their company" if n else "No company on record"
    if n == 0:
        return f"No {label}"
    return f"{n:,} {singular(label) if n == 1 else label}"


SINGULAR = {
    "emails exchanged": "email exchanged", "calls": "call", "meetings": "meeting",
    "strategy sessions": "strategy session", "support conversations": "support conversation",
    "forms sent in": "form sent in", "survey answers": "survey answer",
    "idea votes": "idea vote", "notes": "note", "touches": "touch",
    "emails opened": "email opened", "emails clicked": "email clicked",
}  # fmt: skip


def singular(label: str) -> str:
    """ "meetings in the last 90 days" → "meeting in the last 90 days"."""
    for plural, one in SINGULAR.items():
        if label.startswith(plural + " "):
            return one + label[len(plural) :]
    return label


def train_and_score(*, now: dt.datetime | None = None, horizon: int = HORIZON_DAYS) -> LeadModel:
    """Fit the model, measure it on the held-out later cut-offs, refit on everything and
    score today's open leads. Stores a LeadModel (always) and its LeadScores."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    now = now or timezone.now()
    people = load_people()
    channels = dict(
        Person.objects.filter(acquisition_channel__isnull=False)
        .values_list("acquisition_channel__slug", "acquisition_channel__name")
        .distinct()
        .order_by("acquisition_channel__slug")
    )
    rows_x, rows_y, rows_t, rows_id = [], [], [], []
    moments = cutoffs(people, now, horizon)
    names: list[str] = []
    for i, cutoff in enumerate(moments):
        mask = open_leads(people, moment(cutoff))
        if not mask.any():
            continue
        feats = build_features(people, mask, cutoff, channels)
        names = feats.names
        rows_x.append(feats.x)
        rows_y.append(_labels(people, mask, cutoff, horizon))
        rows_t.append(np.full(int(mask.sum()), i))
        rows_id.append(people.ids[mask])
    record: dict[str, Any] = {"horizon_days": horizon, "trained_at": now}
    if not rows_x:
        return _store(record, LeadModelStatus.TOO_LITTLE_DATA, "No history of leads yet.")
    x, y, t = np.vstack(rows_x), np.concatenate(rows_y), np.concatenate(rows_t)
    ids = np.concatenate(rows_id)
    # The held-out cut-offs are the last few; training uses only cut-offs whose whole
    # outcome window ended before the first held-out one, so no outcome leaks in.
    test_from = max(int(t.max()) - TEST_CUTOFFS + 1, 0)
    gap = math.ceil(horizon / STEP_DAYS)
    train, test = t < test_from - gap + 1, t >= test_from
    if (
        int(y[train].sum()) < MIN_POSITIVES
        or int(y[test].sum()) < 2
        or int((~y[test]).sum()) < 2
        or int((~y[train]).sum()) < MIN_POSITIVES
    ):
        note = (f"Lead scoring needs at least {MIN_POSITIVES} leads who became clients in the "
                f"training period and some in the test period; there are {int(y[train].sum())} "
                f"and {int(y[test].sum())}.")  # fmt: skip
        return _store(record, LeadModelStatus.TOO_LITTLE_DATA, note)
    model = _pipeline().fit(x[train], y[train])
    p = model.predict_proba(x[test])[:, 1]
    record.update(
        train_rows=int(train.sum()), test_rows=int(test.sum()),
        test_positives=int(y[test].sum()),
        auc=float(roc_auc_score(y[test], p)), brier=float(brier_score_loss(y[test], p)),
    )  # fmt: skip
    final = _pipeline().fit(x, y)
    record["metrics"] = {
        "reliability": reliability(p, y[test].astype(float)),
        "base_rate": float(y[test].mean()),
        "mean_predicted": float(p.mean()),
        "coefficients": sorted(
            (
                {"feature": n, "coef": float(c)}
                for n, c in zip(names, final[-1].coef_[0], strict=True)
            ),
            key=lambda r: -abs(r["coef"]),
        ),  # fmt: skip
        "cutoffs": int(t.max()) + 1,
        "test_cutoffs": int(t.max()) + 1 - test_from,
    }
    mask = open_leads(people, moment(now))
    feats = build_features(people, mask, now, channels)
    probability = final.predict_proba(feats.x)[:, 1] if mask.any() else np.array([])
    scores = [
        (int(pid), float(probability[i]), reasons_for(final, feats, i))
        for i, pid in enumerate(people.ids[mask])
    ]
    # Kept for the fairness report: each held-out lead's prediction and outcome.
    held_out = [
        (int(pid), moments[int(i)], float(prob), bool(won))
        for pid, i, prob, won in zip(ids[test], t[test], p, y[test], strict=True)
    ]
    return _store(record, LeadModelStatus.READY, "", scores=scores, held_out=held_out)


def _store(record: dict[str, Any], status: str, note: str,
           scores: list[tuple[int, float, list[str]]] | None = None,
           held_out: list[tuple[int, dt.datetime, float, bool]] | None = None,
           ) -> LeadModel:  # fmt: skip
    now = record.pop("trained_at")
    with transaction.atomic():
        lead_model = LeadModel.objects.create(trained_at=now, status=status, note=note, **record)
        if status == LeadModelStatus.READY:
            LeadScore.objects.all().delete()
            LeadScore.objects.bulk_create(
                [
                    LeadScore(
                        person_id=pid, model=lead_model, probability=p, reasons=r, computed_at=now
                    )
                    for pid, p, r in scores or []
                ],  # fmt: skip
                batch_size=1000,
            )
            LeadTestPrediction.objects.all().delete()
            LeadTestPrediction.objects.bulk_create(
                [
                    LeadTestPrediction(
                        model=lead_model, person_id=pid, cutoff=at, probability=prob, converted=won
                    )
                    for pid, at, prob, won in held_out or []
                ],  # fmt: skip
                batch_size=1000,
            )
        old = LeadModel.objects.order_by("-trained_at", "-id").values_list("pk", flat=True)[10:]
        LeadModel.objects.filter(pk__in=list(old)).exclude(scores__isnull=False).delete()
    return lead_model


def latest_model() -> LeadModel | None:
    return LeadModel.objects.order_by("-trained_at", "-id").first()
