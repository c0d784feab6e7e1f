"""Generates a Python client from Guichet's OpenAPI document with
openapi-python-client, then drives the main flows through it alone.

Run by tests/api/openapi_client.rs with the venv's Python; reads what the
test set up from the environment (GUICHET_*), prints one JSON object of
what each call answered, and exits non-zero if generating or a call fails.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile


def env(name):
    return os.environ["GUICHET_" + name]


def generate(base, work):
    config = work / "config.yaml"
    # No formatter afterwards: the client is only imported. The PDFs and
    # the lobby's audio clips are files to the client, as octet streams are.
    config.write_text("package_name_override: guichet_client\n"
                      "project_name_override: guichet-client\n"
                      "post_hooks: []\n"
                      "content_type_overrides:\n"
                      "  application/pdf: application/octet-stream\n"
                      "  audio/ogg: application/octet-stream\n")
    tool = pathlib.Path(sys.executable).parent / "openapi-python-client"
    subprocess.run(
        [str(tool), "generate", "--url", f"{base}/api/v1/openapi.json",
         "--meta", "none", "--output-path", str(work / "guichet_client"),
         "--config", str(config), "--fail-on-warning"],
        check=True, stdout=sys.stderr)
    sys.path.insert(0, str(work))


def answer(response):
    """The status and the JSON body of a call, parsed by the generated
    models when the document describes it."""
    parsed = response.parsed
    if hasattr(parsed, "to_dict"):
        body = parsed.to_dict()
    elif isinstance(parsed, list):
        body = [item.to_dict() for item in parsed]
    else:
        body = json.loads(response.content) if response.content else None
    return {"status": int(response.status_code), "body": body}


def main():
    base = env("BASE")
    with tempfile.TemporaryDirectory(prefix="guichet-client-") as work:
        generate(base, pathlib.Path(work))
        print(json.dumps(flows(base)))


def flows(base):
    """Each call through the generated client, and what it answered."""
    from guichet_client import AuthenticatedClient, Client
    from guichet_client.api.appointments import book, list_slots, of_day
    from guichet_client.api.operations import site_stats
    from guichet_client.api.queue import call_next, issue
    from guichet_client.models import NewAppointment, NewTicket

    site, service, counter = env("SITE"), env("SERVICE"), env("COUNTER")
    public = Client(base_url=base)
    agent = AuthenticatedClient(base_url=base, token=env("AGENT"))
    admin = AuthenticatedClient(base_url=base, token=env("ADMIN"))
    day = env("DAY")
    out = {}

    out["ticket"] = answer(issue.sync_detailed(
        site, client=agent, body=NewTicket(service=service)))
    out["called"] = answer(call_next.sync_detailed(counter, client=agent))
    out["slots"] = answer(list_slots.sync_detailed(
        site, service, client=public, from_=day, to=day, mode="in_person"))
    first = out["slots"]["body"]["slots"][0]["start"]
    out["booked"] = answer(book.sync_detailed(site, client=public, body=NewAppointment(
        service=service, start=first, name="Amina Alaoui", phone=env("PHONE"))))
    out["day"] = answer(of_day.sync_detailed(site, client=agent, date=day))
    out["stats"] = answer(site_stats.sync_detailed(
        site, client=admin, from_=env("STATS_FROM"), to=env("STATS_TO"), format_="json"))
    return out


if __name__ == "__main__":
    main()
