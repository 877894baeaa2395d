"""``verbund check`` reads ``notify`` of a transition and ``[mail]``, and names the line."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.test_check_cli import ROOT, assert_no_traceback, edit, line_of, run_check

FIXTURES = ROOT / "tests" / "fixtures"


def test_bad_notify_targets_and_mail_security_are_reported_at_their_line(tmp_path: Path):
    office = tmp_path / "office"
    shutil.copytree(FIXTURES / "foerderung", office)
    workflow = office / "workflows" / "foerderung.toml"
    edit(
        workflow,
        'label = "Bewilligen"\n',
        'label = "Bewilligen"\nnotify = ["owner", "jeder", "role:chef"]\n',
    )
    config = office / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[mail]\nhost = "smtp.example"\nsecurity = "tls"\n',
        encoding="utf-8",
    )
    done = run_check(office)
    assert done.returncode != 0
    assert_no_traceback(done)
    out = done.stdout + done.stderr
    assert f"config.toml:{line_of(config, 'security')}: [mail] security muss einer von" in out
    if "[mail]" in out and "notify" not in out:
        # config.toml errors stop the check before the workflows: fix it and look again
        edit(config, 'security = "tls"', 'security = "ssl"')
        done = run_check(office)
        out = done.stdout + done.stderr
    line = line_of(workflow, "notify")
    assert (
        f"foerderung.toml:{line}: Übergang nach „bewilligt“: „notify“: „jeder“ ist kein Empfänger"
        in out
    )
    # roles are checked against config.toml once the file itself is in order
    edit(workflow, '"jeder", ', "")
    out = run_check(office).stdout
    assert f"foerderung.toml:{line}: Übergang nach „bewilligt“: „notify“: Rolle „chef“" in out
