"""Xero emulator: seeding 10,000 contacts, then reading them back as 10 pages of 1,000
over real HTTP (serve_in_thread + requests), as a client would page through them."""

from __future__ import annotations

import base64
import hashlib
import secrets
import statistics
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from localdev.serving import serve_in_thread
from localdev.xero import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
    DEMO_TENANT_ID,
    XeroEmulator,
)

CONTACTS = 10_000
PAGE_SIZE = 1_000
SCOPE = "offline_access accounting.contacts"


def _access_token(emulator: XeroEmulator, base_url: str, http: requests.Session) -> str:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    params = {
        "response_type": "code",
        "client_id": DEFAULT_CLIENT_ID,
        "redirect_uri": DEFAULT_REDIRECT_URI,
        "scope": SCOPE,
        "state": "bench",
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    location = emulator.consent(f"{base_url}/identity/connect/authorize?{urlencode(params)}")
    code = parse_qs(urlsplit(location).query)["code"][0]
    response = http.post(
        f"{base_url}/connect/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": DEFAULT_REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["access_token"]


def _one_run() -> tuple[float, float, int]:
    emulator = XeroEmulator()
    contacts = [
        {"Name": f"Bench Customer {n:05d}", "EmailAddress": f"bench{n}@example.com"}
        for n in range(CONTACTS)
    ]
    started = time.perf_counter()
    emulator.seed(DEMO_TENANT_ID, Contacts=contacts)
    seed_seconds = time.perf_counter() - started

    received = 0
    with serve_in_thread(emulator.app) as server, requests.Session() as http:
        headers = {
            "Authorization": f"Bearer {_access_token(emulator, server.url, http)}",
            "xero-tenant-id": DEMO_TENANT_ID,
            "Accept": "application/json",
        }
        started = time.perf_counter()
        for page in range(1, CONTACTS // PAGE_SIZE + 1):
            response = http.get(
                f"{server.url}/api.xro/2.0/Contacts",
                params={"page": page, "pageSize": PAGE_SIZE},
                headers=headers,
                timeout=30,
            )
            response.raise_for_status()
            received += len(response.json()["Contacts"])
        fetch_seconds = time.perf_counter() - started
    return seed_seconds, fetch_seconds, received


def main(runs: int) -> list[str]:
    results = [_one_run() for _ in range(runs)]
    seed = statistics.median(r[0] for r in results)
    fetch = statistics.median(r[1] for r in results)
    received = results[0][2]
    pages = CONTACTS // PAGE_SIZE
    return [
        f"seed {CONTACTS:,} contacts (Python API): {seed:.2f} s",
        f"fetch {pages} pages x {PAGE_SIZE:,} over HTTP: {fetch:.2f} s "
        f"({fetch / pages * 1000:.0f} ms/page, {received:,} contacts received)",
    ]
