"""The form builder's model (tomlkit, comments kept) and its condition builder for ``show_if``.

No Flask, no database: the admin screen (``server/admin/form_builder.py``) draws and posts,
the services count records (``services/configuration/choice_usage.py``) and publish.
"""
