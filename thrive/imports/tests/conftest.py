import pytest


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Uploads and rejected-row files go to a fresh directory per test."""
    settings.DATA_DIR = tmp_path / "data"
    settings.THRIVE_CURRENCY = "USD"
    settings.THRIVE_PHONE_REGION = "US"
    settings.THRIVE_TIME_ZONE = "UTC"
    return settings.DATA_DIR
