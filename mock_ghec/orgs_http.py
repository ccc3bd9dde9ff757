"""What the organization, SCIM and Visual Studio routes share: who the caller is, the domain errors'
mapping to GitHub's answers (the one place), pagination, and the GitHub objects they serialise.

Access, as GitHub: organization routes need an organization owner (a member or billing manager
who is not one gets 403, anyone else the same 404 as a missing organization); enterprise
routes (Visual Studio, enterprise SCIM) need an enterprise owner (access.owned_enterprise's
matrix). Organization SCIM takes an owner's token too; enterprise SCIM also takes the setup
user's (GitHub: the setup user's personal token with `scim:enterprise`).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from github_http.errors import GitHubError, error_response, not_found
from github_http.pagination import Page, link_header, requested_page
from github_http.users import UserUrls, simple_user

from . import orgs_reads
from .access import caller_login, db
from .orgs_errors import Conflict, Forbidden, Invalid, NotFound, OrgsError
from .orgs_reads import Account, Org
from .orgs_schemas import SCIM_ERROR, ScimErrorSchema

JSON = "application/json; charset=utf-8"
SCIM_JSON = "application/scim+json; charset=utf-8"
DOCS = "https://docs.github.com/enterprise-cloud@latest/rest"
_SCIM_ERROR = ScimErrorSchema()


def orgs_store() -> Any:
    """The app's ScimStore (organization, SCIM and Visual Studio writes)."""
    return current_app.extensions["ghec_orgs"]


def urls() -> UserUrls:
    """User URLs as on api.github.com, rooted at this server."""
    return UserUrls(request.url_root, "https://github.com", "https://avatars.githubusercontent.com/u/")


def user_json(account: Account | None = None, *, login: str = "", user_id: int = 0, name: str | None = None) -> dict:
    """GitHub's `simple-user` for an account."""
    if account is not None:
        login, user_id, name = account.login, account.id, account.name or None
    return simple_user(urls(), login=login, user_id=user_id, node_id=f"U_mock{user_id}", name=name, email=None,
                       site_admin=False)


def org_json(o: Org) -> dict[str, Any]:
    """GitHub's `organization-simple`."""
    base = f"{request.url_root.rstrip('/')}/orgs/{o.login}"
    return {"login": o.login, "id": o.id, "node_id": f"O_mock{o.id}", "url": base, "repos_url": f"{base}/repos",
            "events_url": f"{base}/events", "hooks_url": f"{base}/hooks", "issues_url": f"{base}/issues",
            "members_url": f"{base}/members{{/member}}", "public_members_url": f"{base}/public_members{{/member}}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{o.id}?v=4", "description": None}


def organization(name: str) -> Org:
    """The organization, or GitHub's 404."""
    found = orgs_reads.org(db(), name)
    if found is None:
        raise NotFound("Not Found")  # to_http: a SCIM error on the SCIM routes, GitHub's 404 elsewhere
    return found


def caller(o: Org) -> tuple[str, str | None]:
    """(the caller's login, their role in the organization or None); 401 without a valid token."""
    login = caller_login()
    return login, orgs_reads.org_role(db(), o.enterprise_id, o.login, login)


def owner_of(name: str) -> tuple[Org, tuple[int, str]]:
    """The organization if the caller owns it, with (id, login) of the caller; else 403 or 404."""
    o = organization(name)
    login, role = caller(o)
    if role is None:
        raise NotFound("Not Found")
    if role != "admin":
        raise GitHubError(403, "You must be an admin to do that.", documentation_url=DOCS)
    acct = orgs_reads.account(db(), o.enterprise_id, login)
    return o, (acct.id if acct else 0, login)


def page_of(items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """One page (GitHub's per_page/page) of `items`, with its Link header."""
    page: Page = requested_page()
    link = link_header(page, len(items))
    return items[page.offset:page.offset + page.size], ({"Link": link} if link else {})


def paged_json(items: list[Any], dump: Any) -> Response:
    """A JSON array page with its Link header."""
    chunk, headers = page_of(items)
    response = jsonify([dump(i) for i in chunk])
    response.headers.update(headers)
    return response


def no_content(status: int = 204) -> Response:
    """An answer with no body and no body type."""
    response = Response(status=status)
    response.headers.pop("Content-Type", None)
    return response


def scim_error(status: int, detail: str, scim_type: str | None = None) -> Response:
    """GitHub's `scim-error` (its status an integer)."""
    body = _SCIM_ERROR.dump({"schemas": [SCIM_ERROR], "status": status, "detail": detail, "message": detail,
                             "scimType": scim_type, "documentation_url": DOCS})
    response = jsonify(body)  # application/json: the one type GitHub describes for every SCIM error
    response.status_code = status
    return response


def to_http(error: OrgsError) -> Response:
    """The one mapping of the organization store's domain errors to GitHub's answers."""
    scim = request.path.startswith("/scim/")
    if isinstance(error, NotFound):  # GitHub describes enterprise SCIM's 404 as its basic error
        org_scim = request.path.startswith("/scim/v2/organizations/")
        return scim_error(404, error.message) if org_scim else error_response(not_found())
    if isinstance(error, Forbidden):
        return scim_error(403, error.message) if scim else error_response(GitHubError(403, error.message))
    if isinstance(error, Conflict):
        return scim_error(409, error.message, "uniqueness")
    if scim and isinstance(error, Invalid):
        return scim_error(400, error.message, "invalidValue")
    errors = [{"resource": "Organization" if "/orgs/" in request.path else "Enterprise",
               "field": error.field or "data", "code": error.code, "message": error.message}]
    return error_response(GitHubError(422, error.message if error.field is None else "Validation Failed",
                                      errors=errors, documentation_url=DOCS))


def install(app: Flask, *blueprints: Blueprint) -> None:
    """Register the blueprints and the domain-error mapping."""
    for bp in blueprints:
        app.register_blueprint(bp)
    app.register_error_handler(OrgsError, to_http)
