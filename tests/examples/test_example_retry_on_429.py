"""README example (b): make GHEC answer 429 once and check that your upload retries."""
import time

import requests


def upload_with_retry(url: str, token: str, export: bytes, attempts: int = 3) -> requests.Response:
    """Upload an export; on 429 wait as long as Retry-After says, then try again."""
    for _ in range(attempts):
        response = requests.post(url, data=export, timeout=30, headers={
            "Authorization": f"token {token}", "Content-Type": "application/json"})
        if response.status_code != 429:
            response.raise_for_status()
            return response
        time.sleep(float(response.headers["Retry-After"]))
    raise RuntimeError(f"still rate limited after {attempts} attempts")


def test_upload_retries_after_a_secondary_rate_limit(ghes, ghec):
    """The first upload gets 429 with Retry-After: 0; the retry lands."""
    ghec.add_fault(method="POST", path="/enterprises/*/server-usage",
                   action="rate_limit", rate_limit="secondary", retry_after=0, times=1)
    export = ghes.session.get("/api/v3/enterprise/license-usage/export").content

    response = upload_with_retry(f"{ghec.base_url}/enterprises/{ghec.enterprise}/server-usage",
                                 ghec.owner_token, export)

    assert response.status_code == 201
    assert [entry["status"] for entry in ghec.journal(method="POST")] == [429, 201]
