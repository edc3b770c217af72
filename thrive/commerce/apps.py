from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "thrive.commerce"
    label = "commerce"
    verbose_name = "Commerce"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from .product_segment_fields import register as register_products
        from .segment_fields import register

        register()
        register_products()
