"""The one place where GHEC's domain refusals (domain.py) become HTTP: status codes, GitHub's
error shape with our `problems`, and the hint that names a route.

Both the API (server_usage.py) and the License page (pages.py) answer a refused file; they
ask here for its status and problems, so the two never disagree.
"""
from __future__ import annotations

from github_http.errors import GitHubError

from .domain import FileTooLarge, NotJson, NotRegistered, OlderThanKept, UsageRefused

DOCS = ("https://docs.github.com/enterprise-cloud@latest/billing/managing-your-license-for-github-enterprise/"
        "syncing-license-usage-between-github-enterprise-server-and-github-enterprise-cloud")


def status_of(error: UsageRefused) -> int:
    """413 over the limit, 400 for bytes that are not JSON, 409 for a file older than the one kept
    (unless forced), 422 for everything else refused (a file from the future among them)."""
    if isinstance(error, FileTooLarge):
        return 413
    if isinstance(error, NotJson):
        return 400
    if isinstance(error, OlderThanKept):
        return 409
    return 422


def problems_of(error: UsageRefused, slug: str) -> list[dict[str, str]]:
    """The refusal's problems, a Connect push of an unregistered server told which route registers it."""
    if isinstance(error, NotRegistered):
        hint = f" (PUT /enterprises/{slug}/connect/servers/{error.registering} first)"
        return [{**p, "message": p["message"] + hint} for p in error.problems]
    return error.problems


def github_error(error: UsageRefused, slug: str) -> GitHubError:
    """A refusal in GitHub's error shape with our `problems` list."""
    return GitHubError(status_of(error), error.message, extra={"problems": problems_of(error, slug)},
                       documentation_url=DOCS)

