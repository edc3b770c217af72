"""Importing people: dedupe by email, merge rules, stage history, consent, rejections."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from thrive.contacts.models import (
    Activity,
    Consent,
    Organization,
    Person,
    Stage,
    StageCause,
    StageChange,
)
from thrive.imports import services
from thrive.imports.engine import warnings_path
from thrive.imports.models import ImportedRange, ImportedRecord, JobStatus, MergeRule

from .helpers import dry_run, full_import, import_now, upload, without_cpu, write

CONTACTS = (
    "Email,First name,Last name,Company,Phone,Joined\n"
    " Ann@Example.com ,Ann,Lee,Kettle Co,(415) 555-0123,2024-01-15\n"
    "bob@example.com,Bob,,,,\n"
    "not-an-email,Cy,Diaz,,,\n"
    "ann@example.com,Annie,Leeson,,,2023-12-01\n"
    "dee@example.com,Dee,,,12,\n"
    "eve@example.com,Eve,,,,31/31/2024\n"
)


def rejected(job):
    with job.rejected_path.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


def test_a_spreadsheet_of_contacts_is_deduped_by_normalised_email(owner, tmp_path):
    job = full_import(write(tmp_path, "contacts.csv", CONTACTS), "people", owner)
    assert job.status == JobStatus.DONE
    ann = Person.objects.get(email="ann@example.com")
    # The first row wins, the later row with the same email only fills blanks.
    assert (ann.first_name, ann.last_name) == ("Ann", "Lee")
    assert ann.phone == "+14155550123"
    assert ann.organization.name == "Kettle Co"
    assert ann.first_seen_at == dt.datetime(
        2023, 12, 1, tzinfo=dt.UTC
    )  # first seen only moves earlier
    # Dee's phone is not one: she is imported without it, and the run says so.
    assert Person.objects.get(email="dee@example.com").phone == ""
    assert Person.objects.count() == 3
    assert job.counts["person"] == {"created": 3, "merged": 1}
    assert job.counts["warning"] == {"phone left out": 1}
    assert job.counts["rows"] == {"read": 6, "rejected": 2}


def test_every_rejected_row_has_its_row_number_column_and_reason(owner, tmp_path):
    job = full_import(write(tmp_path, "contacts.csv", CONTACTS), "people", owner)
    assert rejected(job) == [
        ["4", "Email", "'not-an-email' is not a valid email address."],
        ["7", "Joined", "'31/31/2024' is not a date in MM/DD/YYYY order"],
    ]
    with warnings_path(job).open(encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["row", "column", "warning"],
            ["6", "Phone", "'12' is not a valid phone number for US; imported without it"],
        ]


def test_new_people_get_their_first_stage_recorded_as_imported(owner, tmp_path):
    job = full_import(
        write(tmp_path, "c.csv", "Email,Stage,Joined\na@x.com,Prospect,2024-02-01\n"),
        "people",
        owner,
    )
    person = Person.objects.get(email="a@x.com")
    assert person.stage == Stage.PROSPECT
    change = StageChange.objects.get(person=person)
    assert (change.from_stage, change.to_stage, change.cause) == (
        "",
        Stage.PROSPECT,
        StageCause.IMPORT,
    )
    assert change.changed_at == dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    assert change.actor == owner
    entry = Activity.objects.get(person=person)
    assert entry.subject == "Became a prospect"
    assert entry.data["import"] == job.pk and entry.associate == owner


def test_the_dry_run_saves_nothing_and_predicts_the_import_exactly(owner, tmp_path):
    Person.objects.create(email="bob@example.com", first_name="Robert")
    job = upload(write(tmp_path, "contacts.csv", CONTACTS), "people", owner)
    job = dry_run(job, owner)
    assert job.status == JobStatus.CHECKED
    assert Person.objects.count() == 1 and Organization.objects.count() == 0
    assert not ImportedRecord.objects.exists() and not ImportedRange.objects.exists()
    preview = job.preview
    job = import_now(job, owner)
    assert without_cpu(job.counts) == without_cpu(preview)
    # Bob is known and the file only has what Thrive already has: fill in blanks changes nothing.
    assert preview["person"] == {"created": 2, "merged": 1, "unchanged": 1}
    assert preview["rows"] == {"read": 6, "rejected": 2}
    assert preview["warning"] == {"phone left out": 1}


def test_dry_run_counts_a_repeat_in_a_later_batch_as_merged(owner, tmp_path, monkeypatch):
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 2)
    text = "Email,First\na@x.com,A\nb@x.com,B\nc@x.com,C\na@x.com,again\n"
    job = dry_run(upload(write(tmp_path, "c.csv", text), "people", owner), owner)
    assert job.preview["person"] == {"created": 3, "merged": 1}
    job = import_now(job, owner)
    assert job.counts["person"] == {"created": 3, "merged": 1}
    assert Person.objects.count() == 3


def test_fill_rule_never_changes_what_thrive_has(owner, tmp_path):
    Person.objects.create(email="a@x.com", first_name="Ann", city="")
    full_import(write(tmp_path, "c.csv", "Email,First,City\nA@X.com,Anna,Leeds\n"), "people", owner)
    person = Person.objects.get(email="a@x.com")
    assert (person.first_name, person.city) == ("Ann", "Leeds")


def test_overwrite_rule_replaces_values_and_moves_the_stage_with_history(owner, tmp_path):
    person = Person.objects.create(email="a@x.com", first_name="Ann", city="York")
    path = write(tmp_path, "c.csv", "Email,First,City,Stage\na@x.com,Anna,,client\n")
    job = upload(path, "people", owner)
    services.set_mapping(job, job.mapping, actor=owner, merge_rule=MergeRule.OVERWRITE)
    dry_run(job, owner)
    job = import_now(job, owner)
    person.refresh_from_db()
    assert (person.first_name, person.city, person.stage) == ("Anna", "York", Stage.CLIENT)
    last = StageChange.objects.filter(person=person).latest("id")
    assert (last.from_stage, last.to_stage, last.cause) == (
        Stage.SUSPECT,
        Stage.CLIENT,
        StageCause.IMPORT,
    )
    assert job.counts["person"] == {"updated": 1}


def test_consent_from_a_newsletter_list_is_recorded_as_imported(owner, tmp_path):
    text = (
        "Email Address,First Name,OPTIN_TIME,Subscribed\n"
        "a@x.com,Ann,2023-05-01 09:00:00,yes\nb@x.com,Bob,,no\n"
    )
    job = upload(write(tmp_path, "list.csv", text), "people", owner, preset="newsletter-list")
    assert job.mapping["Subscribed"] == "email_consent"
    dry_run(job, owner)
    import_now(job, owner)
    consent = Consent.objects.get()
    assert consent.person.email == "a@x.com"
    assert consent.method == "import" and consent.withdrawn_at is None
    assert consent.granted_at == dt.datetime(2023, 5, 1, 9, tzinfo=dt.UTC)


def test_a_withdrawn_consent_is_never_granted_again_by_an_import(owner, tmp_path):
    person = Person.objects.create(email="a@x.com")
    Consent.objects.create(
        person=person,
        purpose="email_marketing",
        method="web_form",
        source_text="Yes please",
        withdrawn_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        granted_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    full_import(write(tmp_path, "c.csv", "Email,Newsletter\na@x.com,yes\n"), "people", owner)
    assert Consent.objects.filter(withdrawn_at__isnull=True).count() == 0


def test_duplicate_rows_in_the_file_become_one_person(owner, tmp_path):
    text = "Email,First\n" + "same@x.com,Sam\n" * 50
    job = full_import(write(tmp_path, "dupes.csv", text), "people", owner)
    assert Person.objects.filter(email="same@x.com").count() == 1
    assert job.counts["person"] == {"created": 1, "merged": 49}


def test_mapping_without_an_email_column_is_refused(owner, tmp_path):
    job = upload(write(tmp_path, "c.csv", "Name,City\nAnn,York\n"), "people", owner)
    with pytest.raises(Exception, match="Map a column to email"):
        services.set_mapping(job, {"Name": "full_name"}, actor=owner)


def test_read_only_associates_cannot_import(read_only, tmp_path):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        upload(write(tmp_path, "c.csv", "Email\na@x.com\n"), "people", read_only)


def test_organizations_are_matched_by_name_in_any_case(owner, tmp_path):
    Organization.objects.create(name="Kettle Co", city="")
    text = "Name,City,Employees,Website\nkettle co,Leeds,12,kettle.example\nCrow Ltd,York,x,\n"
    job = full_import(write(tmp_path, "orgs.csv", text), "organizations", owner)
    org = Organization.objects.get(name="Kettle Co")
    assert (org.city, org.employees, org.website) == ("Leeds", 12, "https://kettle.example")
    assert Organization.objects.count() == 1
    assert rejected(job) == [["3", "Employees", "'x' is not a whole number"]]


def test_country_names_and_three_letter_codes_become_two_letter_codes(owner, tmp_path):
    text = (
        "Email,Country\na@x.com,USA\nb@x.com,United States\nc@x.com,gbr\nd@x.com,Germany\n"
        "e@x.com,fr\nf@x.com,Narnia\ng@x.com,XX\n"
    )
    job = full_import(write(tmp_path, "c.csv", text), "people", owner)
    assert dict(Person.objects.values_list("email", "country")) == {
        "a@x.com": "US", "b@x.com": "US", "c@x.com": "GB", "d@x.com": "DE", "e@x.com": "FR",
    }  # fmt: skip
    assert rejected(job) == [
        ["7", "Country", "'Narnia' is not a country (use a code such as US or a name)"],
        ["8", "Country", "'XX' is not a country (use a code such as US or a name)"],
    ]


def test_a_person_with_an_unusable_phone_is_kept_with_a_warning_in_the_dry_run(owner, tmp_path):
    text = "Email,Name,Phone\nann@x.com,Ann Lee,call me maybe\nbo@x.com,Bo,+1 415 555 0123\n"
    job = dry_run(upload(write(tmp_path, "c.csv", text), "people", owner), owner)
    assert job.preview["person"] == {"created": 2}
    assert job.preview["rows"] == {"read": 2, "rejected": 0}
    assert job.preview["warning"] == {"phone left out": 1}
    with warnings_path(job).open(encoding="utf-8") as handle:
        assert list(csv.reader(handle))[1] == [
            "2", "Phone", "'call me maybe' is not a phone number; imported without it"
        ]  # fmt: skip
    job = import_now(job, owner)
    assert dict(Person.objects.values_list("email", "phone")) == {
        "ann@x.com": "", "bo@x.com": "+14155550123"
    }  # fmt: skip


def test_a_tags_column_tags_people_and_undo_takes_the_tags_off_again(owner, tmp_path):
    from thrive.contacts.models import PersonTag, Tag
    from thrive.contacts.services import add_tag

    kept = Person.objects.create(email="kim@x.com", first_name="Kim")
    add_tag(kept, "VIP", actor=owner)
    add_tag(kept, "wholesale", actor=owner)
    text = (
        "Email,Tags\n"
        'ann@x.com,"vip, Newsletter; newsletter"\n'
        "kim@x.com,Wholesale;Trade show\n"
        "ann@x.com,Trade show\n"
    )
    job = upload(write(tmp_path, "t.csv", text), "people", owner)
    assert job.mapping == {"Email": "email", "Tags": "tags"}
    job = dry_run(job, owner)
    preview = job.preview
    job = import_now(job, owner)
    assert without_cpu(job.counts) == without_cpu(preview)
    assert job.counts["tag"] == {"created": 2, "added to people": 4}

    def tags_of(email):
        return sorted(Tag.objects.filter(people__email=email).values_list("name", flat=True))

    assert tags_of("ann@x.com") == ["Newsletter", "Trade show", "VIP"]
    assert tags_of("kim@x.com") == ["Trade show", "VIP", "wholesale"]
    services.undo_import(job, actor=owner)
    assert tags_of("kim@x.com") == ["VIP", "wholesale"]  # what was there before stays
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["VIP", "wholesale"]
    assert PersonTag.objects.count() == 2


def test_nul_and_other_control_characters_are_taken_out_of_text_with_a_warning(owner, tmp_path):
    text = "Email,First\x00 name,City\nann@x.com,A\x00nn,Pa\x07ris\nbo@x.com,Bo,Lyon\n"
    job = upload(write(tmp_path, "c.csv", text), "people", owner)
    # The job keeps the header and first rows to show (JSON PostgreSQL stores): cleaned too.
    assert job.headers == ["Email", "First name", "City"]
    assert job.sample[0] == ["ann@x.com", "Ann", "Paris"]
    job = dry_run(job, owner)
    job = import_now(job, owner)
    assert job.counts["person"] == {"created": 2}
    ann = Person.objects.get(email="ann@x.com")
    assert (ann.first_name, ann.city) == ("Ann", "Paris")
    assert job.counts["warning"] == {"control characters removed": 2}
    with warnings_path(job).open(encoding="utf-8") as handle:
        assert sorted(csv.reader(handle))[:-1] == [  # the header sorts last
            ["2", "City", "removed 1 control character (U+0007) that text cannot hold; "
             "the rest was kept"],
            ["2", "First name", "removed 1 control character (NUL) that text cannot hold; "
             "the rest was kept"],
        ]  # fmt: skip
