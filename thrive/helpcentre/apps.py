from django.apps import AppConfig


class HelpCentreConfig(AppConfig):
    name = "thrive.helpcentre"
    verbose_name = "Help centre"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The shared inbox (same layer, no import either way) finds articles through core.
        from thrive.core.article_suggestions import register_article_suggester

        from .queries import suggested_articles

        register_article_suggester(suggested_articles)
