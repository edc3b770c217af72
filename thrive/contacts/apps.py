from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "thrive.contacts"
    label = "contacts"
    verbose_name = "Ecosystem"
