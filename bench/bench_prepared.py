"""PostgreSQL: pages with the statements built once prepared per connection, against the same
pages with every statement sent as text, in the same process (``server/models/prepared.py``).

On the bench office of ``bench_pages.py`` (KIM configuration, case records in bulk, cached by
``page_data.py``): the record page of one case as its owner, the same case through the API,
the case manager's start page, and a form save through the API. The two ways take turns in
rounds of ``--repeat`` requests each (a new connection per round, so each round prepares
anew), medians over all rounds. Prints the medians and prepared over text.

    .venv/bin/python bench/bench_prepared.py --size 10000 \\
        --database-url postgresql://verbund:verbund@localhost/verbund_bench
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from bench_pages import logged_in, start  # noqa: E402
from page_data import prepare  # noqa: E402


def _timed(call, repeat: int) -> list[float]:
    call()  # the first two requests of a round send as text and prepare: not counted
    call()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def _requests(app, who, owner: str) -> dict:
    from page_load import SAVE_FORM, _save_body, _setup

    from server.models import Record, User, database
    from server.services.accounts.people import issue_token

    page = logged_in(app, owner)
    start_page = logged_in(app, "cm.amt")
    with database.connection_context():
        token = issue_token(User.get(User.username == owner), "bench_prepared")
    lead = _setup(None, who, owner)  # the team lead's token and cases open to a save
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    case = lead["cases"][0]
    record_url = f"/records/case_management/{who.record}"

    def save():
        version = Record.get_by_id(case).version  # on the requests' connection, kept open
        answer = api.put(
            f"/api/v1/records/{case}/forms/{SAVE_FORM}",
            data=_save_body(version, version),
            headers={"Authorization": f"Bearer {lead['token']}"},
            content_type="application/json",
        )
        if answer.status_code != 200:
            raise RuntimeError(f"save: HTTP {answer.status_code} {answer.get_data()[:200]!r}")

    def get(client, url, extra=None):
        def call():
            answer = client.get(url, headers=extra or {})
            if answer.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {answer.status_code}")

        return call

    return {
        "record page": get(page, record_url),
        "record API": get(api, f"/api/v1/records/{who.record}", headers),
        "start page, case manager": get(start_page, "/"),
        "form save (API)": save,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=30, help="requests per round")
    parser.add_argument("--rounds", type=int, default=6, help="rounds per way")
    parser.add_argument("--json", default="")
    args = parser.parse_args(argv)
    from server.models import database, prepared

    office = prepare(args.size, args.database_url)
    app, who, owner = start(office)
    requests = _requests(app, who, owner)
    results = {}
    for name, call in requests.items():
        samples: dict[str, list[float]] = {"text": [], "prepared": []}
        for _ in range(args.rounds):
            for way in ("text", "prepared"):
                prepared.enable(way == "prepared")
                if not database.is_closed():
                    database.close()  # a new connection: nothing prepared yet
                samples[way] += _timed(call, args.repeat)
        prepared.enable(True)
        text, made = (statistics.median(samples[w]) * 1000 for w in ("text", "prepared"))
        results[name] = {"text_ms": text, "prepared_ms": made, "ratio": made / text}
    print(f"PostgreSQL, {args.size:,} case records; median of {args.rounds} x {args.repeat}")
    print(f"  {'request':28} {'as text ms':>10} {'prepared ms':>12} {'prepared/text':>14}")
    for name, r in results.items():
        print(f"  {name:28} {r['text_ms']:10.2f} {r['prepared_ms']:12.2f} {r['ratio']:13.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
