"""The license report as a download: the License page's "CSV report" and the same file over the API.

GitHub offers the report in the UI only; `GET /enterprises/{enterprise}/license-report.csv`
with an enterprise owner's token is the mock's own route (docs/ghec.md), so a script can fetch
the file an admin would download. Both answers come from `license_report_download`.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Blueprint, Response, current_app, request, stream_with_context

from github_http import GitHubError

from . import reads
from .access import db, owned_enterprise
from .license_report import chosen_format, report_chunks
from .reads import EnterpriseAccess

bp = Blueprint("ghec_report_api", __name__)


def license_report_download(access: EnterpriseAccess, query_headers: str | None) -> Response:
    """The enterprise's license report as a streamed CSV attachment (`?headers=legacy` for the old headers)."""
    try:
        headers, variant = chosen_format(query_headers, current_app.extensions["mock"].settings)
    except ValueError as error:
        raise GitHubError(422, str(error)) from error
    rows = reads.all_rows(db(), access.id)

    def generate() -> Iterator[str]:
        """Rows are parsed a chunk at a time, so a large enterprise streams in bounded memory."""
        yield from report_chunks((json.loads(row_json) for _, row_json, _ in rows), headers, variant)

    filename = f"{access.slug}-license-report.csv"
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/enterprises/<enterprise>/license-report.csv")
def license_report(enterprise: str) -> Response:
    """The license report for an enterprise owner's token (the mock's own route)."""
    return license_report_download(owned_enterprise(enterprise), request.args.get("headers"))
