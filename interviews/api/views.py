"""Team endpoints (bearer token, scoped to the token's workspace) and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from interviews.accounts import service as accounts
from interviews.api.openapi import openapi_document
from interviews.errors import Unauthorized

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Endpoints anyone may read: the contract itself.
PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate() -> None:
    """Every team endpoint speaks for the token's member; no cookies here."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send an API token: Authorization: Bearer <token>.")
    g.api_member = accounts.member_for_api_token(secret.strip())


def _member_json(member: accounts.Member) -> dict:
    return {
        "id": member.membership_id,
        "user_id": member.user_id,
        "name": member.name,
        "email": member.email,
        "role": member.role.value,
    }


@bp.get("/me")
def me():
    """Who this token speaks for, and in which workspace."""
    member: accounts.Member = g.api_member
    return jsonify(
        user={"id": member.user_id, "email": member.email, "name": member.name},
        workspace={"id": member.workspace_id, "name": member.workspace_name},
        role=member.role.value,
    )


@bp.get("/members")
def members():
    """The workspace's members."""
    listed = accounts.members(g.api_member.workspace_id)
    return jsonify(items=[_member_json(m) for m in listed], total=len(listed))


@bp.get("/members/<int:member_id>")
def member(member_id: int):
    """One member of the workspace; another workspace's ids answer 404."""
    return jsonify(_member_json(accounts.get_member(g.api_member.workspace_id, member_id)))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document describing every endpoint that exists."""
    return jsonify(openapi_document(current_app.config["BASE_URL"], current_app.url_map))
