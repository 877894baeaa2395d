"""Notifications: an inbox per person, e-mail over SMTP (now or as a daily digest).

- :mod:`.kinds`: the kinds of notification and the wiring table event → kind → recipients;
- :mod:`.recipients`: who a rule names ("owner", "role:…", …) for one record;
- :mod:`.create`: one notification per person and event, idempotent, in the event's transaction;
- :mod:`.listeners`: the record events joined at start-up (:func:`register_notifications`);
- :mod:`.inbox`: the inbox and the person's choices;
- :mod:`.mail`, :mod:`.delivery`, :mod:`.digest`, :mod:`.calendar`: the e-mails.

Nothing here carries what a record holds: titles name the kind and the record's number.
"""
