"""Segments: saved, rule-defined selections of people.

``rules`` (the JSON format, validation, compilation to SQL), ``registry`` (fields and
operators), ``sql`` (the compiler), ``words`` (plain-words summaries and the editor's
registry), ``queries``/``services`` (reads and writes), ``forms``/``views``/``urls``.
The model is ``thrive.segments.models.Segment``. Fields that read other apps' data
(orders, scores, lead scores) are registered by those apps at start-up, see
:func:`thrive.segments.registry.register_field`.
"""
