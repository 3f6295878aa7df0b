"""Profile service routes (thin: auth scoping and HTTP shapes; logic lives in the service)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status

from services.core.auth import CurrentPrincipal, get_authenticator
from services.profile.schemas import (
    AnalogyRecord,
    Experience,
    ExperienceBatch,
    ExperienceCreate,
    ExperienceItems,
    ExperienceList,
    ExperienceUpdate,
    SearchRequest,
    SearchResult,
    TokenOut,
    User,
    UserCreate,
    UserUpdate,
)
from services.profile.service import ProfileService

router = APIRouter(prefix="/v1/users", tags=["profile"])


def get_profile_service(request: Request) -> ProfileService:
    service: ProfileService = request.app.state.profile_service
    return service


Profiles = Annotated[ProfileService, Depends(get_profile_service)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a user")
async def create_user(body: UserCreate, principal: CurrentPrincipal, profiles: Profiles) -> User:
    principal.require_service()
    return await profiles.create_user(body)


@router.get("/{user_id}", summary="Get a user")
async def get_user(user_id: str, principal: CurrentPrincipal, profiles: Profiles) -> User:
    principal.require_user(user_id)
    return await profiles.get_user(user_id)


@router.patch("/{user_id}", summary="Change a user's profile")
async def update_user(
    user_id: str, body: UserUpdate, principal: CurrentPrincipal, profiles: Profiles
) -> User:
    principal.require_user(user_id)
    return await profiles.update_user(user_id, body)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a user with every experience and analogy",
)
async def delete_user(user_id: str, principal: CurrentPrincipal, profiles: Profiles) -> Response:
    principal.require_user(user_id)
    await profiles.delete_user(user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{user_id}/tokens",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a token that reaches only this user's data (needs a service key)",
)
async def issue_token(
    user_id: str, request: Request, principal: CurrentPrincipal, profiles: Profiles
) -> TokenOut:
    principal.require_service()
    await profiles.get_user(user_id)
    token, expires = get_authenticator(request).issue_token(user_id)
    return TokenOut(token=token, expires_at=datetime.fromtimestamp(expires, UTC))


@router.post(
    "/{user_id}/experiences",
    status_code=status.HTTP_201_CREATED,
    summary="Add a narrated experience; answers it with its emotional structure",
)
async def add_experience(
    user_id: str, body: ExperienceCreate, principal: CurrentPrincipal, profiles: Profiles
) -> Experience:
    principal.require_user(user_id)
    [experience] = await profiles.add_experiences(user_id, [body])
    return experience


@router.post(
    "/{user_id}/experiences:batch",
    status_code=status.HTTP_201_CREATED,
    summary="Add up to 256 experiences at once (all or nothing; answers in request order)",
)
async def add_experiences(
    user_id: str, body: ExperienceBatch, principal: CurrentPrincipal, profiles: Profiles
) -> ExperienceItems:
    principal.require_user(user_id)
    return ExperienceItems(items=await profiles.add_experiences(user_id, body.items))


@router.get("/{user_id}/experiences", summary="List experiences (cursor pagination)")
async def list_experiences(
    user_id: str,
    principal: CurrentPrincipal,
    profiles: Profiles,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> ExperienceList:
    principal.require_user(user_id)
    return await profiles.list_experiences(user_id, limit, cursor)


@router.post(
    "/{user_id}/experiences:search",
    summary="Vector query over one user's experiences (used by the retrieval service)",
)
async def search_experiences(
    user_id: str, body: SearchRequest, principal: CurrentPrincipal, profiles: Profiles
) -> SearchResult:
    principal.require_user(user_id)
    principal.require_sensitive_access(body.include_sensitive)
    return await profiles.search(user_id, body)


@router.get("/{user_id}/experiences/{experience_id}", summary="Get one experience")
async def get_experience(
    user_id: str, experience_id: str, principal: CurrentPrincipal, profiles: Profiles
) -> Experience:
    principal.require_user(user_id)
    return await profiles.get_experience(user_id, experience_id)


@router.patch(
    "/{user_id}/experiences/{experience_id}",
    summary="Change an experience (a new text recomputes its vectors)",
)
async def update_experience(
    user_id: str,
    experience_id: str,
    body: ExperienceUpdate,
    principal: CurrentPrincipal,
    profiles: Profiles,
) -> Experience:
    principal.require_user(user_id)
    return await profiles.update_experience(user_id, experience_id, body)


@router.delete(
    "/{user_id}/experiences/{experience_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete one experience",
)
async def delete_experience(
    user_id: str, experience_id: str, principal: CurrentPrincipal, profiles: Profiles
) -> Response:
    principal.require_user(user_id)
    await profiles.delete_experience(user_id, experience_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{user_id}/analogies",
    status_code=status.HTTP_201_CREATED,
    summary="Store a generated analogy (used by the generator service)",
)
async def save_analogy(
    user_id: str,
    content: Annotated[dict[str, Any], Body()],
    principal: CurrentPrincipal,
    profiles: Profiles,
) -> AnalogyRecord:
    principal.require_user(user_id)
    return await profiles.save_analogy(user_id, content)


@router.get("/{user_id}/analogies/{analogy_id}", summary="Get a stored analogy")
async def get_analogy(
    user_id: str, analogy_id: str, principal: CurrentPrincipal, profiles: Profiles
) -> AnalogyRecord:
    principal.require_user(user_id)
    return await profiles.get_analogy(user_id, analogy_id)
