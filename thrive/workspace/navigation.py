"""The workspace's navigation: sections that follow the owner's journey (know the customers,
reach them, listen, grow, keep the data), which section the current page belongs to, and the
pages the command palette offers.

One list feeds the top bar and the palette, so a page added here is found both ways.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from thrive.core.roles import can_edit, can_manage


@dataclass(frozen=True)
class NavItem:
    label: str
    # A URL name, or a literal path (starting with "/") for a page not routed by name here.
    target: str
    # URL names (exact, or prefixes ending in "*") of the pages that belong to this item.
    matches: tuple[str, ...] = ()
    # Who may open it: None for every signed-in associate.
    allowed: Callable[[Any], bool] | None = None
    # Other words the palette finds it by.
    keywords: str = ""

    @property
    def href(self) -> str:
        if self.target.startswith("/"):
            return self.target
        try:
            return reverse(self.target)
        except NoReverseMatch:
            return ""

    def covers(self, url_name: str, namespace: str = "") -> bool:
        if namespace and namespace in self.matches:
            return True
        for pattern in (self.target, *self.matches):
            if pattern.endswith("*") and url_name.startswith(pattern[:-1]):
                return True
            if url_name == pattern:
                return True
        return False


@dataclass(frozen=True)
class NavSection:
    key: str
    label: str
    items: tuple[NavItem, ...] = field(default_factory=tuple)


SECTIONS: tuple[NavSection, ...] = (
    NavSection(
        "customers",
        "Customers",
        (
            NavItem("Dashboard", "home", ("dashboard_*",), keywords="home figures kpi"),
            NavItem("Ecosystem", "ecosystem", keywords="stages funnel"),
            NavItem("People", "people", ("person", "person_*", "people_*"), keywords="contacts"),
            NavItem("Organizations", "organizations", ("organization",), keywords="companies"),
            NavItem("Segments", "segments", ("segment", "segment_*")),
            NavItem("Orders", "orders", ("order", "order_*"), keywords="sales revenue refund"),
            NavItem("Deals", "deal_board", ("deal_*",), keywords="pipeline forecast won lost"),
        ),
    ),
    NavSection(
        "reach",
        "Reach",
        (
            NavItem("Reach", "reach", ("reach_*",), keywords="channels clv cac leads partners"),
            NavItem("Sessions", "sessions", ("sessions_*",), keywords="bookings calendar"),
            NavItem(
                "Outreach",
                "campaigns",
                ("campaign", "campaign_*", "outreach_*", "sequence", "sequence_*", "sequences"),
                keywords="campaigns email templates sequences",
            ),
            NavItem("Forms", "leadforms", ("leadform", "leadform_*"),
                    keywords="lead capture sign-up embed"),
            NavItem("Automations", "workflows", ("workflow", "workflow_*"), keywords="workflows"),
        ),
    ),
    NavSection(
        "listen",
        "Listen",
        (
            NavItem("Inbox", "inbox", ("inbox_*",), keywords="support email conversations sla"),
            NavItem(
                "Ideas",
                "voice_ideas",
                ("voice_staff_idea", "voice_idea_*"),
                keywords="voice feedback requests",
            ),
            NavItem(
                "Surveys",
                "voice_surveys",
                ("voice_survey", "voice_survey_*", "voice_job_*"),
                keywords="voice nps",
            ),
            NavItem(
                "Themes",
                "voice_themes",
                ("voice_themes_*",),
                keywords="voice sentiment topics comments duplicates",
            ),
            NavItem("Help centre", "help_manage", ("help_*",), keywords="faq articles support"),
        ),
    ),
    NavSection(
        "grow",
        "Grow",
        (
            NavItem("Growth", "growth", ("growth_goal", "growth_goal_*"), keywords="goals"),
            NavItem(
                "Experiments",
                "growth_backlog",
                ("growth_experiment", "growth_experiment_*"),
                keywords="ice ansoff backlog",
            ),
            NavItem("Health checks", "growth_health", ("growth_health_*", "growth_figures")),
            NavItem(
                "Assessment",
                "growth_assessment",
                (
                    "growth_assessment",
                    "growth_swot_*",
                    "growth_competitor_*",
                    "growth_factor_*",
                    "growth_cash",
                    "growth_resource_*",
                    "growth_strategy",
                ),
                keywords="swot competitors strategy canvas runway cash resources porter",
            ),
            NavItem("Journey map", "growth_journey", keywords="process bottleneck stall funnel"),
            NavItem("Roadmap", "growth_roadmap", ("growth_idea_experiment",), keywords="ideas"),
            NavItem(
                "Playbooks",
                "growth_playbooks",
                ("growth_playbook", "growth_playbook_*", "growth_procedure_new"),
                keywords="procedures sop training",
            ),
            NavItem("Team view", "team_view", ("team_view_one",), keywords="workload praise"),
            NavItem("A/B calculator", "growth_ab", keywords="test significance"),
        ),
    ),
    NavSection(
        "data",
        "Data & settings",
        (
            NavItem("Data", "data", ("data_*",), keywords="export backup erase"),
            NavItem("Imports", "imports", ("import_*",), keywords="csv upload spreadsheet"),
            NavItem("API", "api_tokens", ("api_*",), keywords="tokens"),
            NavItem("Webhooks", "webhooks", ("webhook_*",)),
            NavItem("Records", "admin:index", ("admin",), keywords="admin"),
            NavItem(
                "Settings",
                "business_settings",
                ("business_settings", "onboarding_*"),
                allowed=can_manage,
                keywords="business sender time zone currency logo colour public address",
            ),
            NavItem(
                "Team",
                "team",
                ("team", "team_*"),
                allowed=can_manage,
                keywords="invite colleague associates roles deactivate",
            ),
            NavItem("Your profile", "profile", ("profile",), keywords="my time zone hours"),
        ),
    ),
)

# Pages reached from the top bar outside the sections.
TASKS = NavItem("Tasks", "tasks", ("task_*",), keywords="to do inbox due")


# Key pages inside the sections, which only the palette lists.
SUB_PAGES: tuple[tuple[NavItem, str], ...] = (
    (NavItem("Leads", "reach_leads", keywords="prospects scores"), "Reach"),
    (NavItem("Partners", "reach_partners", keywords="referrals portal"), "Reach"),
    (NavItem("Lead model fairness", "reach_fairness", keywords="bias sensitive"), "Reach"),
    (NavItem("Email templates", "outreach_templates", keywords="outreach"), "Reach"),
    (NavItem("Sequences", "sequences", keywords="outreach drip"), "Reach"),
    (NavItem("New segment", "segment_new", allowed=can_edit), "Customers"),
    (NavItem("New campaign", "campaign_new", allowed=can_edit, keywords="email"), "Reach"),
    (NavItem("New workflow", "workflow_new", allowed=can_edit, keywords="automation"), "Reach"),
    (NavItem("New goal", "growth_goal_new", allowed=can_edit), "Grow"),
    (NavItem("New experiment", "growth_experiment_new", allowed=can_edit), "Grow"),
)


def current_section(url_name: str, namespace: str = "") -> tuple[str, str]:
    """(section key, item label) of the page with this URL name; empty when none."""
    if TASKS.covers(url_name, namespace):
        return ("tasks", TASKS.label)
    for section in SECTIONS:
        for item in section.items:
            if item.covers(url_name, namespace):
                return (section.key, item.label)
    return ("", "")


def sections_for(user: Any, url_name: str, namespace: str = "") -> list[dict[str, Any]]:
    """The sections as the top bar shows them to ``user``, the current one marked."""
    here_section, here_item = current_section(url_name, namespace)
    shown = []
    for section in SECTIONS:
        items = [
            {
                "label": item.label,
                "href": item.href,
                "current": section.key == here_section and item.label == here_item,
            }
            for item in section.items
            if item.allowed is None or item.allowed(user)
        ]
        shown.append(
            {
                "key": section.key,
                "label": section.label,
                "current": section.key == here_section,
                "items": [i for i in items if i["href"]],
            }
        )
    return shown


def pages_for(user: Any) -> list[tuple[NavItem, str]]:
    """Every page the palette may offer ``user``: (item, section label)."""
    pages = [(TASKS, "")]
    for section in SECTIONS:
        pages += [(item, section.label) for item in section.items]
    pages += list(SUB_PAGES)
    return [(i, s) for i, s in pages if (i.allowed is None or i.allowed(user)) and i.href]
