"""Segments: saved, rule-defined selections of people.

``rules`` (the JSON format, validation, compilation to SQL), ``registry`` (fields and
operators), ``sql`` (the compiler), ``words`` (plain-words summaries and the editor's
registry), ``queries``/``services`` (reads and writes), ``forms``/``views``/``urls``.
The model is ``thrive.contacts.models.Segment``.
"""
