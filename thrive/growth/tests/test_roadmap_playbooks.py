"""The roadmap and playbooks: an idea becomes an experiment and its voters hear when it
starts and ships; RICE reach is a segment's real size; scaling a winner makes a playbook
that colleagues are assigned to and tick through."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from thrive.conftest import client_for
from thrive.growth import playbook_services, services
from thrive.growth.models import Experiment, Playbook, PlaybookAssignment
from thrive.segments.models import Segment
from thrive.testing.factories import AssociateFactory, PersonFactory
from thrive.voice.models import Idea, IdeaStatusChange, SendJob, Vote

pytestmark = pytest.mark.django_db


def voted_idea(votes: int = 3) -> Idea:
    idea = Idea.objects.create(title="Decaf options", body="Please.")
    for _ in range(votes):
        Vote.objects.create(idea=idea, person=PersonFactory())
    return idea


def winner(owner, **extra) -> Experiment:
    exp = services.create_experiment(
        actor=owner, title="Win-back email", hypothesis="h", kpi="k",
        growth_path="penetration", stance="focus", **extra,
    )  # fmt: skip
    services.record_experiment_numbers(exp, actor=owner, n_a=1000, x_a=50, n_b=1000, x_b=90)
    for to in ("running", "measured"):
        services.change_experiment_status(exp, to, actor=owner)
    return exp


def test_rice_reach_is_the_segments_real_size(owner):
    for stage in ("client", "client", "client", "prospect"):
        PersonFactory(stage=stage)
    clients = Segment.objects.create(
        name="Clients", rules={"rules": [{"field": "stage", "op": "in", "value": ["client"]}]}
    )
    exp = services.create_experiment(
        actor=owner, title="Refill reminder", hypothesis="h", kpi="k", growth_path="penetration",
        stance="focus", score_method="rice", reach=999, impact=2, confidence=50, effort=0.5,
        reach_segment=clients,
    )  # fmt: skip
    # 3 clients × impact 2 × 50% ÷ 0.5 person-months = 6.
    assert exp.reach == 3
    assert exp.score == pytest.approx(6)


def test_an_idea_becomes_an_experiment_and_its_voters_hear_it_start_and_ship(owner):
    idea = voted_idea(3)
    response = client_for(owner).post(f"/growth/roadmap/ideas/{idea.pk}/experiment")
    exp = Experiment.objects.get()
    assert response["Location"] == f"/growth/experiments/{exp.pk}/"
    assert exp.idea == idea and exp.reach == 3 and exp.score_method == "rice"
    idea.refresh_from_db()
    assert idea.status == "planned" and idea.votes.count() == 3
    again = client_for(owner).post(f"/growth/roadmap/ideas/{idea.pk}/experiment", follow=True)
    assert "already on the experiment backlog" in again.content.decode()

    services.record_experiment_numbers(exp, actor=owner, n_a=1000, x_a=50, n_b=1000, x_b=90)
    services.change_experiment_status(exp, "running", actor=owner)
    services.change_experiment_status(exp, "measured", actor=owner)
    services.change_experiment_status(exp, "scaled", actor=owner)

    idea.refresh_from_db()
    assert idea.status == "done"
    assert [c.to_status for c in IdeaStatusChange.objects.filter(idea=idea).order_by("pk")] == [
        "planned",
        "in_progress",
        "done",
    ]
    # Each change sends the voters the idea board's own update, as a background job.
    assert SendJob.objects.count() == 3


def test_scaling_a_winner_makes_its_playbook_that_a_colleague_follows(owner):
    tom = AssociateFactory(username="tom", first_name="Tom", role="member")
    exp = winner(owner)
    services.change_experiment_status(exp, "scaled", actor=owner)
    playbook = Playbook.objects.get()
    assert playbook.experiment == exp and playbook.kind == "playbook"

    client = client_for(owner)
    client.post(
        f"/growth/playbooks/{playbook.pk}/steps", {"text": "Call lapsed VIPs", "owner": tom.pk}
    )
    client.post(f"/growth/playbooks/{playbook.pk}/steps", {"text": "Send the voucher"})
    client.post(f"/growth/playbooks/{playbook.pk}/assign", {"associate": tom.pk})
    assignment = PlaybookAssignment.objects.get(associate=tom)
    first, second = playbook.steps.all()
    tom_client = client_for(tom)
    tom_client.post(f"/growth/playbooks/{playbook.pk}/tick", {"step": first.pk, "done": "1"})
    page = client.get("/growth/playbooks/").content.decode()
    assert "1 of 2 steps" in page
    tom_client.post(f"/growth/playbooks/{playbook.pk}/tick", {"step": second.pk, "done": "1"})
    assert assignment.ticks.count() == 2
    page = client.get("/growth/playbooks/").content.decode()
    assert "Tom" in page and "trained" in page


def test_only_the_assigned_colleague_or_an_editor_ticks(owner, read_only):
    exp = winner(owner)
    services.change_experiment_status(exp, "scaled", actor=owner)
    playbook = Playbook.objects.get()
    step = playbook_services.add_step(playbook, actor=owner, text="Call")
    tom = AssociateFactory(username="tom2", role="member")
    assignment = playbook_services.assign(playbook, actor=owner, associate=tom)
    with pytest.raises(PermissionDenied):
        playbook_services.tick(assignment, step, actor=read_only, done=True)
    assert (
        client_for(read_only)
        .post(f"/growth/playbooks/{playbook.pk}/steps", {"text": "x"})
        .status_code
        == 403
    )
    assert client_for(read_only).get(f"/growth/playbooks/{playbook.pk}/").status_code == 200


def test_a_standard_procedure_links_to_the_workflow_that_automates_it(owner):
    from thrive.automations.models import TriggerKind, Workflow

    workflow = Workflow.objects.create(name="Welcome series", trigger=TriggerKind.values[0])
    client_for(owner).post(
        "/growth/playbooks/new", {"title": "Onboard a wholesale client", "workflow": workflow.pk}
    )
    procedure = Playbook.objects.get(kind="procedure")
    assert procedure.workflow == workflow
    page = client_for(owner).get(f"/growth/playbooks/{procedure.pk}/").content.decode()
    assert "Welcome series" in page


def test_a_reader_sees_the_roadmap_and_playbooks_but_changes_nothing(owner, read_only):
    idea = voted_idea(1)
    exp = winner(owner)
    services.change_experiment_status(exp, "scaled", actor=owner)
    playbook = Playbook.objects.get()
    reader = client_for(read_only)
    for url in ("/growth/roadmap/", "/growth/playbooks/", f"/growth/playbooks/{playbook.pk}/"):
        assert reader.get(url).status_code == 200, url
    assert reader.post(f"/growth/roadmap/ideas/{idea.pk}/experiment").status_code == 403
    assert reader.post("/growth/playbooks/new", {"title": "x"}).status_code == 403
    assert (
        reader.post(
            f"/growth/playbooks/{playbook.pk}/assign", {"associate": read_only.pk}
        ).status_code
        == 403
    )
    assert reader.post(f"/growth/playbooks/{playbook.pk}/link", {}).status_code == 403
    assert not Experiment.objects.filter(idea=idea).exists()
    page = reader.get("/growth/roadmap/").content.decode()
    # The scaled winner is rolling out (nobody trained yet); the idea is still asked for.
    assert "Decaf options" in page and "Win-back email" in page
    assert "Turn into an experiment" not in page


def test_a_blank_step_is_refused_with_its_reason(owner):
    exp = winner(owner)
    services.change_experiment_status(exp, "scaled", actor=owner)
    playbook = Playbook.objects.get()
    page = (
        client_for(owner)
        .post(f"/growth/playbooks/{playbook.pk}/steps", {"text": "  "}, follow=True)
        .content.decode()
    )
    assert "Not saved: Manual step: This field is required." in page
    assert not playbook.steps.exists()
