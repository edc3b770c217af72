"""The shared inbox in the records admin. Mail as received and conversations are read
here; they are worked on the inbox pages, which keep the timeline and SLAs right."""

from __future__ import annotations

from django.contrib import admin

from thrive.core.admin import ReadOnlyAdmin

from .models import (
    Attachment,
    CannedReply,
    Conversation,
    CsatRequest,
    Mailbox,
    Message,
    RawMessage,
    ServiceCursor,
    ServiceSettings,
    SlaPolicy,
)


@admin.register(RawMessage)
class RawMessageAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "source", "envelope_from", "size", "status"]
    list_filter = ["source", "status"]
    search_fields = ["envelope_from", "recipients"]
    exclude = ["data"]


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ["subject", "person", "status", "priority", "assignee", "last_message_at"]
    list_filter = ["status", "priority"]
    search_fields = ["subject", "person__email"]
    list_select_related = ["person", "assignee"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "kind", "from_address", "subject", "conversation"]
    list_filter = ["kind"]
    search_fields = ["subject", "from_address", "message_id"]
    list_select_related = ["conversation"]
    exclude = ["html"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["filename", "content_type", "size", "skipped", "message"]
    search_fields = ["filename"]
    exclude = ["content"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "created_at"]
    search_fields = ["title", "body"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["priority", "first_response_minutes", "resolution_minutes"]


@admin.register(ServiceSettings)
class ServiceSettingsAdmin(admin.ModelAdmin):
    list_display = ["workdays", "opens", "closes", "warn_minutes", "max_attachment_bytes"]


@admin.register(Mailbox)
class MailboxAdmin(ReadOnlyAdmin):
    # Without the sealed password: connect and remove mailboxes on the inbox settings page.
    list_display = ["username", "host", "port", "folder", "active", "last_polled_at"]
    exclude = ["password_sealed"]


@admin.register(ServiceCursor)
class ServiceCursorAdmin(ReadOnlyAdmin):
    list_display = ["name", "tick_due_at"]


@admin.register(CsatRequest)
class CsatRequestAdmin(ReadOnlyAdmin):
    list_display = ["conversation", "person", "status", "asked_at", "score", "answered_at"]
    list_filter = ["status", "score"]
    search_fields = ["person__email"]
    list_select_related = ["conversation", "person"]
