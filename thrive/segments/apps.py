from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "thrive.segments"
    label = "segments"
    verbose_name = "Segments"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from thrive.contacts.queries import register_segment_members

        from .queries import members_of

        register_segment_members(members_of)
