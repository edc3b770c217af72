"""Writes of the roadmap: an idea from the board becomes an experiment (its voters stay on
the idea and hear, through the idea's status updates, when the experiment starts and when
it ships); RICE reach read from a segment's real size."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from thrive.core.roles import check_actor
from thrive.segments.queries import members_of
from thrive.voice.models import Idea, IdeaStatus
from thrive.voice.services.ideas import change_idea_status

from .models import BusinessStrategy, Experiment, ExperimentStatus, GrowthPath, Stance

# What the idea's voters are told as its experiment moves on.
IDEA_STATUS_FOR = {
    ExperimentStatus.RUNNING: (IdeaStatus.IN_PROGRESS, "We are trying it out now."),
    ExperimentStatus.SCALED: (IdeaStatus.DONE, "It worked in our test and is now for everyone."),
}


def segment_reach(segment_id: int) -> int:
    """RICE reach: how many people are in the segment now."""
    people = members_of(segment_id)
    if people is None:
        raise ValidationError({"reach_segment": "That segment no longer exists."})
    return people.count()


@transaction.atomic
def idea_to_experiment(idea: Idea, *, actor: Any) -> Experiment:
    """Put a customers' idea on the backlog as a RICE-scored experiment; the idea becomes
    "planned" and its voters are told (the idea board's own status update)."""
    check_actor(actor)
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if idea.merged_into_id is not None:
        raise ValidationError("This idea was merged into another; use that one.")
    if idea.experiments.exists():
        raise ValidationError("This idea is already on the experiment backlog.")
    strategy = BusinessStrategy.objects.first()
    voters = idea.votes.count()
    exp = Experiment.objects.create(
        title=idea.title[:200],
        hypothesis=(
            f"We believe that doing “{idea.title}” for the {voters} customers who asked "
            "(and others like them) will bring them back more often, because they told us "
            "they want it."
        ),
        kpi="Repeat-purchase rate",
        growth_path=GrowthPath.PRODUCT_DEVELOPMENT,
        stance=strategy.stance if strategy else Stance.DIFFERENTIATION,
        score_method="rice",
        reach=voters,
        impact=1,
        confidence=50,
        effort=1,
        idea=idea,
    )
    if idea.status in (IdeaStatus.OPEN,):
        change_idea_status(
            idea,
            IdeaStatus.PLANNED,
            actor=actor,
            public_note="We are planning a test of this idea.",
        )
    return exp


def tell_voters(experiment: Experiment, to: str, *, actor: Any) -> None:
    """After an experiment with an idea moves on, move the idea so its voters hear."""
    if experiment.idea_id is None or to not in IDEA_STATUS_FOR:
        return
    status, note = IDEA_STATUS_FOR[ExperimentStatus(to)]
    idea = Idea.objects.get(pk=experiment.idea_id)
    if idea.merged_into_id is None and idea.status != status:
        change_idea_status(idea, status, actor=actor, public_note=note)
