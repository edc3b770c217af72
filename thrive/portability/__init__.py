"""Taking data out: CSV exports, full export archives, restore, erase-a-person."""
