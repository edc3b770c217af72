import pytest
from django.core.exceptions import ValidationError

from thrive.contacts.models import CustomFieldDefinition
from thrive.outreach.email_templates.merge_data import merge_context
from thrive.outreach.email_templates.sandbox import check_source, render_parts, template_problems
from thrive.outreach.email_templates.saving import save_template
from thrive.testing.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("Hi\n{% load static %}", "Line 2: the tag “load” is not allowed"),
        ("{% include 'base.html' %}", "Line 1: the tag “include” is not allowed"),
        ("a\nb\n{% extends 'base.html' %}", "Line 3: the tag “extends” is not allowed"),
        ("{% debug %}", "the tag “debug” is not allowed"),
        ("{% autoescape off %}x{% endautoescape %}", "the tag “autoescape” is not allowed"),
        ("{{ person.first_name|safe }}", "safe"),
    ],
)
def test_sandbox_refuses_tags_that_reach_internals(source, words):
    problems = check_source(source)
    assert problems and words in problems[0]


def test_sandbox_refuses_attribute_access_to_internals():
    problems = check_source("Hi\n\n{{ person.__class__ }}")
    assert problems == [
        "Line 3: Variables and attributes may not begin with underscores: 'person.__class__'."
    ]
    assert check_source("{{ person.first_name.upper }}") == [
        "Line 1: unknown merge field “person.first_name.upper”."
    ]


def test_unknown_fields_are_reported_with_their_lines():
    problems = template_problems(
        subject="Hi {{ person.nickname }}",
        html_body="<p>ok {{ person.first_name }}</p>\n{% if orders.secret %}x{% endif %}",
        text_body="{{ settings.SECRET_KEY }}\n{{ x|default:person.password }}",
    )
    assert problems == {
        "subject": ["Line 1: unknown merge field “person.nickname”."],
        "html_body": ["Line 2: unknown merge field “orders.secret”."],
        "text_body": [
            "Line 1: unknown merge field “settings.SECRET_KEY”.",
            "Line 2: unknown merge field “x”.",
            "Line 2: unknown merge field “person.password”.",
        ],
    }


def test_saving_a_bad_template_is_refused_with_the_line():
    with pytest.raises(ValidationError) as caught:
        save_template(
            None, actor=None, name="Bad", subject="Hi", html_body="<p>\n{% load x %}", text_body=""
        )
    assert "Line 2" in caught.value.message_dict["html_body"][0]


def test_fallbacks_custom_fields_and_escaping():
    CustomFieldDefinition.objects.create(
        entity="person", key="roast", label="Roast", field_type="text"
    )
    person = PersonFactory(
        first_name="",
        organization=OrganizationFactory(name="Café <Nord>"),
        custom_fields={"roast": "dark"},
    )
    source = (
        '{{ person.first_name|default:"there" }} {{ person.custom.roast }} {{ organization.name }}'
    )
    assert check_source(source) == []
    rendered = render_parts(
        subject=source, html_body=f"<p>{source}</p>", text_body=source, data=merge_context(person)
    )
    assert rendered.subject == "there dark Café <Nord>"
    assert rendered.text == "there dark Café <Nord>"
    assert rendered.html == "<p>there dark Café &lt;Nord&gt;</p>"


def test_text_part_is_made_from_html_when_blank():
    person = PersonFactory(first_name="Ana")
    rendered = render_parts(
        subject="x",
        html_body='<p>Hi {{ person.first_name }}</p><p><a href="https://e.org">Shop</a></p>',
        text_body="",
        data=merge_context(person),
    )
    assert rendered.text == "Hi Ana\n\nShop (https://e.org)\n"
