"""A member's erasure, as cms applies it (the personal-data contract, core/hooks.py), and
what cms declares for Wagtail's own models.

- Form submissions (Wagtail's FormSubmission, for the forms staff build) that hold the
  member's address as one of their answers are deleted: a volunteer sign-up or a contact
  message is not a record anyone must keep.
- Log entries about the member's rows (Wagtail's `ModelLogEntry`, Django admin's `LogEntry`,
  written when staff edit an account or a profile in an admin) keep what was done and when,
  without the object's name.
Everything else Wagtail stores is content staff publish, or staff's own working data.
"""

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import TextField
from django.db.models.functions import Cast
from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import ModelLogEntry

from core.personal_data import Member, PersonalData, Rows

CONTENT = "page content and content snippets staff publish"


def _submissions_of(member: Member) -> set:
    if not member.email:
        return set()
    candidates = FormSubmission.objects.annotate(text=Cast("form_data", TextField())).filter(
        text__icontains=member.email
    )
    return {
        submission.pk
        for submission in candidates
        if any(
            isinstance(value, str) and value.strip().lower() == member.email for value in submission.form_data.values()
        )
    }


def _log_entries_about(model, found: Rows) -> set:
    """Log entries (of `model`: Wagtail's or Django admin's) about rows other answers found."""
    pks = set()
    for label, row_pks in found.items():
        content_type = ContentType.objects.get_for_model(apps.get_model(label))
        entries = model.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in row_pks])
        pks |= set(entries.values_list("pk", flat=True))
    return pks


def cms_member_rows(member: Member, found: Rows) -> Rows:
    return {
        FormSubmission._meta.label: _submissions_of(member),
        ModelLogEntry._meta.label: _log_entries_about(ModelLogEntry, found),
        LogEntry._meta.label: _log_entries_about(LogEntry, found),
    }


def cms_erase_member(member: Member, found: Rows) -> None:
    FormSubmission.objects.filter(pk__in=found.get(FormSubmission._meta.label, ())).delete()
    for entry in ModelLogEntry.objects.filter(pk__in=found.get(ModelLogEntry._meta.label, ())):
        entry.label = f"erased {entry.object_id}"
        entry.data = {}
        entry.save(update_fields=["label", "data"])
    LogEntry.objects.filter(pk__in=found.get(LogEntry._meta.label, ())).update(object_repr="erased", change_message="")


PERSONAL_DATA = PersonalData(
    personal={
        "wagtailforms.FormSubmission": ("form_data",),
        "wagtailcore.ModelLogEntry": ("label", "data"),
        "admin.LogEntry": ("object_repr", "change_message"),
    },
    not_personal={
        "wagtailcore.ModelLogEntry.action": "what was done (a name)",
        "wagtailcore.ModelLogEntry.object_id": "an id",
        "admin.LogEntry.object_id": "an id",
        "cms.SiteSettings": "the organisation's own contact details",
        "cms.PartnerOrganisation": "partner organisations (organisations, not people)",
        "cms.Chapter": "chapter names and settings",
        "cms.ChapterOrganiser": "which chapter a staff account organises (ids)",
        "cms.ChapterPage": CONTENT,
        "cms.ChapterTeamRole": CONTENT + ": roles, and names only of staff or volunteers who agreed to be named",
        "cms.ChapterRepresentative": CONTENT + ": roles, and names only of people who agreed to be named",
        "cms.HomePage": CONTENT,
        "cms.StandardPage": CONTENT,
        "cms.FormPage": CONTENT,
        "cms.FormField": "the questions of forms staff build",
        "wagtailcore.Page": CONTENT,
        "wagtailcore.Revision": "revisions of " + CONTENT,
        "wagtailcore.PageLogEntry": "the history of pages (what staff did to which page)",
        "wagtailcore.Locale": "language codes",
        "wagtailcore.Site": "site names",
        "wagtailcore.Collection": "collection names",
        "wagtailcore.CollectionViewRestriction": "staff's restrictions on collections",
        "wagtailcore.PageViewRestriction": "staff's restrictions on pages",
        "wagtailcore.APIToken": "hashes of staff's API tokens",
        "wagtailcore.Workflow": "workflow names",
        "wagtailcore.Task": "workflow task names",
        "wagtailcore.GroupApprovalTask": "workflow task names",
        "wagtailcore.WorkflowState": "workflow states (ids, statuses)",
        "wagtailcore.TaskState": "staff's moderation comments on pages",
        "wagtailcore.Comment": "staff's comments on page drafts",
        "wagtailcore.CommentReply": "staff's comments on page drafts",
        "wagtailcore.ReferenceIndex": "which content refers to which (ids and paths)",
        "wagtailadmin.EditingSession": "which staff member has which page open (ids)",
        "wagtailadmin.FormState": "staff's unsaved edits of pages and snippets",
        "wagtailusers.UserProfile": "staff's admin preferences (language, theme)",
        "wagtailredirects.Redirect": "redirects between pages",
        "wagtailembeds.Embed": "embedded videos' details, from their providers",
        "wagtaildocs.Document": "documents staff upload",
        "wagtailimages.Image": "images staff upload",
        "wagtailimages.Rendition": "resized copies of images",
        "wagtailcore.UploadedFile": "files staff upload in the admin, before they become documents or images",
        "wagtailsearch.IndexEntry": "the search index of pages and partner organisations",
        "wagtailsearch.SQLiteFTSIndexEntry": "the search index of pages and partner organisations",
    },
    tasks={"cms.tasks.form_submission_notify": {"submission_id": "wagtailforms.FormSubmission"}},
    rows=cms_member_rows,
    erase=cms_erase_member,
    order=90,
)
