"""The data-protection screens (/datenschutz/…), the consent panel of the record page and the
read audit of web requests. The rules they show and apply are in :mod:`server.privacy`;
:func:`server.web.privacy.screens.init_privacy` wires them into the staff app."""
