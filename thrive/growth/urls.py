"""Workspace pages of growth planning, included at ``growth/``."""

from django.urls import path

from . import assessment_views as assessment
from . import journey_views, playbook_views, views

urlpatterns = [
    path("", views.overview, name="growth"),
    path("goals/new", views.goal_new, name="growth_goal_new"),
    path("goals/<int:pk>/", views.goal_detail, name="growth_goal"),
    path("goals/<int:pk>/edit", views.goal_edit, name="growth_goal_edit"),
    path("goals/<int:pk>/check-in", views.goal_check_in, name="growth_goal_check_in"),
    path("experiments/", views.backlog, name="growth_backlog"),
    path("experiments/new", views.experiment_new, name="growth_experiment_new"),
    path("experiments/<int:pk>/", views.experiment_detail, name="growth_experiment"),
    path(
        "experiments/<int:pk>/numbers", views.experiment_numbers, name="growth_experiment_numbers"
    ),
    path("experiments/<int:pk>/edit", views.experiment_edit, name="growth_experiment_edit"),
    path("experiments/<int:pk>/pull", views.experiment_pull, name="growth_experiment_pull"),
    path("experiments/<int:pk>/status", views.experiment_status, name="growth_experiment_status"),
    path("ab/", views.ab_calculator, name="growth_ab"),
    path("health/", views.health_list, name="growth_health"),
    path("health/figures", views.monthly_figures, name="growth_figures"),
    path("health/<int:pk>/", views.health_detail, name="growth_health_check"),
    path("health/<int:pk>/report.pdf", views.health_pdf, name="growth_health_pdf"),
    path("journey/", journey_views.journey, name="growth_journey"),
    path("roadmap/", playbook_views.roadmap, name="growth_roadmap"),
    path(
        "roadmap/ideas/<int:pk>/experiment",
        playbook_views.idea_experiment,
        name="growth_idea_experiment",
    ),
    path("playbooks/", playbook_views.playbooks, name="growth_playbooks"),
    path("playbooks/new", playbook_views.procedure_new, name="growth_procedure_new"),
    path("playbooks/<int:pk>/", playbook_views.playbook, name="growth_playbook"),
    path("playbooks/<int:pk>/steps", playbook_views.step_add, name="growth_playbook_step"),
    path("playbooks/<int:pk>/assign", playbook_views.assign, name="growth_playbook_assign"),
    path("playbooks/<int:pk>/tick", playbook_views.tick, name="growth_playbook_tick"),
    path("playbooks/<int:pk>/link", playbook_views.link, name="growth_playbook_link"),
    path("assessment/", assessment.assessment, name="growth_assessment"),
    path("assessment/swot", assessment.swot_add, name="growth_swot_add"),
    path("assessment/swot/<int:pk>/edit", assessment.swot_edit, name="growth_swot_edit"),
    path("assessment/swot/<int:pk>/delete", assessment.swot_delete, name="growth_swot_delete"),
    path(
        "assessment/swot/<int:pk>/goal",
        assessment.swot_spawn,
        {"what": "goal"},
        name="growth_swot_goal",
    ),
    path(
        "assessment/swot/<int:pk>/experiment",
        assessment.swot_spawn,
        {"what": "experiment"},
        name="growth_swot_experiment",
    ),
    path("assessment/competitors", assessment.competitor_add, name="growth_competitor_add"),
    path(
        "assessment/competitors/<int:pk>/delete",
        assessment.competitor_delete,
        name="growth_competitor_delete",
    ),
    path("assessment/factors", assessment.factor_add, name="growth_factor_add"),
    path("assessment/factors/<int:pk>/", assessment.factor_score, name="growth_factor_score"),
    path(
        "assessment/factors/<int:pk>/delete",
        assessment.factor_delete,
        name="growth_factor_delete",
    ),
    path("assessment/cash", assessment.cash_save, name="growth_cash"),
    path("assessment/resources", assessment.resource_add, name="growth_resource_add"),
    path(
        "assessment/resources/<int:pk>/status",
        assessment.resource_status,
        name="growth_resource_status",
    ),
    path(
        "assessment/resources/<int:pk>/delete",
        assessment.resource_delete,
        name="growth_resource_delete",
    ),
    path("assessment/strategy", assessment.strategy_save, name="growth_strategy"),
]
